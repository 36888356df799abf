import { backend_util, Conv2DBackpropInput } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropInputAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { heapOf } from './internal/heap';
import { withScope } from './internal/kernel-scope';

/**
 * dL/dx of a 2-D convolution on the wasm backend (NHWC). Stride 1 with more
 * than 8 input channels: one forward convolution (the wasm backend's XNNPACK
 * Conv2D) of the re-padded dy with the flipped, in/out-swapped filter.
 * Strided, or few input channels: col2im (see {@link col2im}). Replaces
 * tfjs-backend-wasm 4.22's Conv2DBackpropInput, which is correct but about
 * ten times slower than the forward convolution. Any stride and padding;
 * dilation when given in attrs.
 *
 * @example
 * ```ts
 * // x [2,9,9,3], w [3,3,3,8] → dx [2,9,9,3]
 * tf.grad((x) => tf.sum(tf.conv2d(x, w, 2, 'same')))(x);
 * ```
 */
export const conv2dBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as Conv2DBackpropInputAttrs;
  if (dataFormat === 'NCHW') throw new Error('@likeness/backends wasm Conv2DBackpropInput: only NHWC is supported');
  const info = backend_util.computeConv2DInfo(
    inputShape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    strides,
    (attrs as { dilations?: number | [number, number] }).dilations ?? 1,
    pad,
    dimRoundingMode,
    false,
  );
  const { inHeight: h, inWidth: w } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  if (sh > 1 || sw > 1 || info.inChannels <= COL2IM_MAX_CHANNELS) return col2im(dy, filter, info, backend);
  return withScope(backend, (s) => {
    const spread = s.spread(dy, sh, sw); // [N, OH·sh, OW·sw, Co]
    const eh = (kh - 1) * dh;
    const ew = (kw - 1) * dw;
    const beforeH = eh - info.padInfo.top;
    const beforeW = ew - info.padInfo.left;
    const q = s.padOrCrop(spread, [
      [0, 0],
      [beforeH, h + eh - beforeH - spread.shape[1]!],
      [beforeW, w + ew - beforeW - spread.shape[2]!],
      [0, 0],
    ]);
    const flipped = s.run('Reverse', { x: filter }, { dims: [0, 1] });
    const swapped = s.run('Transpose', { x: flipped }, { perm: [0, 1, 3, 2] }); // [KH, KW, Co, Ci]
    return s.run(
      'Conv2D',
      { x: q, filter: swapped },
      { strides: [1, 1], pad: 'valid', dilations: [dh, dw], dataFormat: 'NHWC' },
    );
  });
};

/** Up to this many input channels, stride-1 gradients also take the col2im path. */
const COL2IM_MAX_CHANNELS = 8;

/**
 * dx by "col2im": one XNNPACK matmul cols = dy · Wᵀ ([N·OH·OW, Co] × [Co,
 * KH·KW·Ci]) gives every tap's contribution, which one pass over the heap
 * adds onto dx at its (strided, dilated, padded) place. Strided convolutions
 * take this path: the zero-spread convolution would do stride² times the
 * work on zeros. So do layers with few input channels (an image's 3), for
 * which XNNPACK's convolution with so few output channels is inefficient.
 */
function col2im(dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo, backend: unknown): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  return withScope(backend, (s) => {
    const cols = s.run(
      'BatchMatMul',
      { a: s.reshape(dy, [n * oh * ow, co]), b: s.reshape(filter, [kh * kw * ci, co]) },
      { transposeA: false, transposeB: true },
    ); // [N·OH·OW, KH·KW·Ci]
    const heap = heapOf(backend, 'Conv2DBackpropInput');
    const out = heap.makeOutput([n, h, w, ci], 'float32');
    const dx = heap.typedArrayFromHeap(out); // views after the allocation (the heap may grow)
    const cv = heap.typedArrayFromHeap(cols);
    dx.fill(0);
    const taps = kh * kw * ci;
    for (let b = 0; b < n; b++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          const row = ((b * oh + oy) * ow + ox) * taps;
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * sh - top + ky * dh;
            if (iy < 0 || iy >= h) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox * sw - left + kx * dw;
              if (ix < 0 || ix >= w) continue;
              const to = ((b * h + iy) * w + ix) * ci;
              const from = row + (ky * kw + kx) * ci;
              for (let c = 0; c < ci; c++) dx[to + c] = dx[to + c]! + cv[from + c]!;
            }
          }
        }
      }
    }
    return out;
  });
}

export const conv2dBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropInput,
};
