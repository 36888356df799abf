import { backend_util, MaxPoolGrad } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { withScope } from './internal/kernel-scope';

/**
 * The gradient of max pooling on the wasm backend (NHWC). Replaces
 * tfjs-backend-wasm 4.22's MaxPoolGrad, which drops the gradient in windows
 * whose values are all negative (its MaxPoolWithArgmax has the same fault).
 *
 * Each window tap of the (−∞-padded) input is compared with the pooled
 * output; the first tap equal to the maximum (scan order, as the cpu backend
 * does) receives dy, and the per-tap results are laid back onto the input
 * grid — by interleaving when windows do not overlap, by summing otherwise.
 *
 * @example
 * ```ts
 * // x [1,4,4,2] → dx [1,4,4,2]
 * tf.grad((x) => tf.sum(tf.maxPool(x, 2, 2, 'valid')))(x);
 * ```
 */
export const maxPoolGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input, output } = inputs as { dy: TensorInfo; input: TensorInfo; output: TensorInfo };
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
  return withScope(backend, (s) => {
    const needH = Math.max(kh + sh * (oh - 1), h + top);
    const needW = Math.max(kw + sw * (ow - 1), w + left);
    const xp = s.padOrCrop(
      input,
      [
        [0, 0],
        [top, needH - top - h],
        [left, needW - left - w],
        [0, 0],
      ],
      Number.NEGATIVE_INFINITY,
    );
    const zeros = s.run('ZerosLike', { x: dy });
    let pending: TensorInfo | undefined; // true where the maximum is not found yet
    const parts: TensorInfo[][] = [];
    for (let i = 0; i < kh; i++) {
      const row: TensorInfo[] = [];
      for (let j = 0; j < kw; j++) {
        const tap = s.stridedTake(xp, [0, i, j, 0], [n, oh, ow, c], [1, sh, sw, 1]);
        const hit = s.run('Equal', { a: tap, b: output });
        s.free(tap);
        let take = hit;
        if (pending) {
          take = s.run('LogicalAnd', { a: hit, b: pending });
          const notHit = s.run('LogicalNot', { x: hit });
          const next = s.run('LogicalAnd', { a: pending, b: notHit });
          s.free(notHit);
          s.free(pending);
          s.free(hit);
          pending = next;
        } else {
          pending = s.run('LogicalNot', { x: hit });
        }
        row.push(s.run('Select', { condition: take, t: dy, e: zeros }));
        s.free(take);
      }
      parts.push(row);
    }
    let grid: TensorInfo; // dy laid on the padded input grid [N, ≥needH, ≥needW, C]
    if (sh >= kh && sw >= kw) {
      // Windows do not overlap: interleave the taps, [N,OH,KH,OW,KW,C] → [N,OH·KH,OW·KW,C].
      const rows = parts.map((row) => {
        const six = row.map((t) => s.reshape(t, [n, oh, 1, ow, 1, c]));
        return six.length === 1 ? six[0]! : s.run('Concat', six, { axis: 4 });
      });
      const stacked = rows.length === 1 ? rows[0]! : s.run('Concat', rows, { axis: 2 });
      const gaps = s.padOrCrop(stacked, [
        [0, 0],
        [0, 0],
        [0, sh - kh],
        [0, 0],
        [0, sw - kw],
        [0, 0],
      ]);
      grid = s.reshape(gaps, [n, oh * sh, ow * sw, c]);
    } else {
      const placed: TensorInfo[] = [];
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const spread = s.spread(parts[i]![j]!, sh, sw);
          placed.push(
            s.padOrCrop(spread, [
              [0, 0],
              [i, needH - i - spread.shape[1]!],
              [j, needW - j - spread.shape[2]!],
              [0, 0],
            ]),
          );
        }
      }
      grid = placed.length === 1 ? placed[0]! : s.run('AddN', placed);
    }
    return s.run('Slice', { x: grid }, { begin: [0, top, left, 0], size: [n, h, w, c] });
  });
};

export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad,
};
