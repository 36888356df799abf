import { backend_util, MaxPoolGrad } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { heapOf } from './internal/heap';

/**
 * The gradient of max pooling on the wasm backend (NHWC). Replaces
 * tfjs-backend-wasm 4.22's MaxPoolGrad, which drops the gradient in windows
 * whose values are all negative (its MaxPoolWithArgmax has the same fault).
 *
 * One pass over the wasm heap, no intermediate tensors: for every output
 * pixel the window is scanned in order, per channel the first tap strictly
 * greater than all before it wins (as the cpu backend decides; a window with
 * no finite maximum routes nothing), and dy is added at that tap of dx.
 * Overlapping windows (stride < window) accumulate.
 *
 * @example
 * ```ts
 * // x [1,4,4,2] → dx [1,4,4,2]
 * tf.grad((x) => tf.sum(tf.maxPool(x, 2, 2, 'valid')))(x);
 * ```
 */
export const maxPoolGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { batchSize: n, inChannels: c, inHeight: h, inWidth: w, outHeight: oh, outWidth: ow } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const heap = heapOf(backend, 'MaxPoolGrad');
  const out = heap.makeOutput([n, h, w, c], 'float32');
  // Views after the allocation, which may grow (and so detach) the heap.
  const dx = heap.typedArrayFromHeap(out);
  const xv = heap.typedArrayFromHeap(input);
  const dyv = heap.typedArrayFromHeap(dy);
  dx.fill(0);
  const best = new Float32Array(c);
  const where = new Int32Array(c);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - top;
      const yFrom = Math.max(0, y0);
      const yTo = Math.min(h, y0 + kh);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - left;
        const xFrom = Math.max(0, x0);
        const xTo = Math.min(w, x0 + kw);
        best.fill(Number.NEGATIVE_INFINITY);
        where.fill(-1);
        for (let y = yFrom; y < yTo; y++) {
          for (let x = xFrom; x < xTo; x++) {
            const base = ((b * h + y) * w + x) * c;
            for (let ch = 0; ch < c; ch++) {
              const v = xv[base + ch]!;
              if (v > best[ch]!) {
                best[ch] = v;
                where[ch] = base + ch;
              }
            }
          }
        }
        const o = ((b * oh + oy) * ow + ox) * c;
        for (let ch = 0; ch < c; ch++) {
          const at = where[ch]!;
          if (at >= 0) dx[at] = dx[at]! + dyv[o + ch]!;
        }
      }
    }
  }
  return out;
};

export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad,
};
