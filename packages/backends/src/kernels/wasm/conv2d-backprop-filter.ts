import { backend_util, Conv2DBackpropFilter } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { withScope } from './internal/kernel-scope';

/**
 * dL/dW of a 2-D convolution on the wasm backend (NHWC), built from the wasm
 * backend's own Pad, Slice/StridedSlice, Concat, Transpose and BatchMatMul
 * (XNNPACK). tfjs-backend-wasm 4.22 has no such kernel.
 *
 * The padded input is transposed once to channels-first, xᵀ [Ci, N, Hp, Wp];
 * for each filter tap its (strided) window X_tapᵀ [Ci, N·OH·OW] gives
 * dW[kh,kw] = X_tapᵀ · dy [N·OH·OW, Co]. dy is the right-hand operand of every
 * product, so XNNPACK packs it once. Any stride, padding ('same', 'valid',
 * explicit) and dilation (when given in attrs).
 *
 * Stride 1 avoids the 4-D window copies (tfjs-backend-wasm's Slice copies
 * its whole input out of the wasm heap, then the window row by row in JS): x is laid out as one row per channel over an
 * extended grid (every image Hq = needH + 1 rows of Wp = needW columns) and dy
 * is zero-padded onto the same grid, so the window of tap (kh, kw) is the
 * contiguous column range starting at kh·dh·Wp + kw·dw of that matrix — the
 * columns that wrap past a row end (or into the next image) meet zeros of dy.
 *
 * @example
 * ```ts
 * // x [2,9,9,3], dy [2,5,5,8] → dW [3,3,3,8]
 * tf.grad((w) => tf.sum(tf.conv2d(x, w, 2, 'same')))(w);
 * ```
 */
/** Largest stacked left operand of one filter-gradient matmul (bytes). */
let STACK_BYTES = 32 * 1024 * 1024;

/** Floats of dy per K-block (≈ 512 KB: a chunk of dy and a row block of windows stay in cache). */
const CHUNK_FLOATS = 128 * 1024;
let CHUNK_COLUMNS: number | undefined;

/** Test hook: fixes the K-block length (positions per chunk; undefined = automatic) and returns the previous one. */
export function setFilterGradChunkColumns(columns: number | undefined): number | undefined {
  const previous = CHUNK_COLUMNS;
  CHUNK_COLUMNS = columns;
  return previous;
}

/** Test hook: sets the stacking budget and returns the previous one. */
export function setFilterGradStackBytes(bytes: number): number {
  const previous = STACK_BYTES;
  STACK_BYTES = bytes;
  return previous;
}

export const conv2dBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
  if (dataFormat === 'NCHW') throw new Error('@likeness/backends wasm Conv2DBackpropFilter: only NHWC is supported');
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    (attrs as { dilations?: number | [number, number] }).dilations ?? 1,
    pad,
    dimRoundingMode,
    false,
  );
  const { batchSize: n, inChannels: ci, outChannels: co, outHeight: oh, outWidth: ow } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const p = n * oh * ow;
  return withScope(backend, (s) => {
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    // Rows/cols the taps reach, beyond the input (zeros) or short of its end (cropped).
    const needH = (kh - 1) * dh + sh * (oh - 1) + 1;
    const needW = (kw - 1) * dw + sw * (ow - 1) + 1;
    if (sh === 1 && sw === 1) {
      const wp = needW;
      const hq = needH + 1;
      // x on the extended grid, channels first: [Ci, N·Hq·Wp].
      const xg = s.padOrCrop(x, [
        [0, 0],
        [top, hq - top - x.shape[1]!],
        [left, wp - left - x.shape[2]!],
        [0, 0],
      ]);
      const xgT = s.reshape(s.run('Transpose', { x: xg }, { perm: [3, 0, 1, 2] }), [ci, n * hq * wp]);
      // dy on the same grid, zeros outside [OH, OW]; the last image needs only OH rows.
      const len = ((n - 1) * hq + oh) * wp;
      const dyg = s.run('PadV2', { x: dy }, { paddings: [[0, 0], [0, hq - oh], [0, wp - ow], [0, 0]], constantValue: 0 });
      const dyFlat = s.reshape(dyg, [1, n * hq * wp * co]);
      const offsets: number[] = [];
      for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) offsets.push(i * dh * wp + j * dw);
      const kc = CHUNK_COLUMNS ?? Math.max(256, Math.round(CHUNK_FLOATS / co));
      if (kc < len && STACK_BYTES >= offsets.length * ci * kc * 4) {
        // K-blocked: the reduction over positions in chunks of kc columns, so that a
        // chunk of dy (packed once by XNNPACK, shared by all taps) and each row block of
        // the stacked windows stay in cache; a product over all len positions at once
        // streams both from memory once per output tile. Partial [KH·KW·Ci, Co] sums add up.
        let acc: TensorInfo | undefined;
        for (let c0 = 0; c0 < len; c0 += kc) {
          const k = Math.min(kc, len - c0);
          const b = s.reshape(s.sliceColumns(dyFlat, c0 * co, k * co), [k, co]);
          const a = s.stackColumnWindows(
            xgT,
            offsets.map((o) => o + c0),
            k,
          );
          const part = s.run('BatchMatMul', { a, b }, { transposeA: false, transposeB: false });
          s.free(a);
          s.free(b);
          if (acc === undefined) acc = part;
          else {
            const sum = s.run('Add', { a: acc, b: part });
            s.free(acc);
            s.free(part);
            acc = sum;
          }
        }
        return s.reshape(acc!, [kh, kw, ci, co]);
      }
      const dyl = s.reshape(s.sliceColumns(dyFlat, 0, len * co), [len, co]);
      // Taps are stacked into one left operand [g·Ci, len] per matmul, g as large as
      // STACK_BYTES allows: a single-channel first layer then makes one [9, len] product
      // instead of nine [1, len] ones (XNNPACK computes rows in tiles of several).
      const perGroup = Math.max(1, Math.min(offsets.length, Math.floor(STACK_BYTES / (ci * len * 4))));
      const groups: TensorInfo[] = []; // dW rows [g·Ci, Co], in (kh, kw) order
      for (let t = 0; t < offsets.length; t += perGroup) {
        const stacked = s.stackColumnWindows(xgT, offsets.slice(t, t + perGroup), len);
        groups.push(s.run('BatchMatMul', { a: stacked, b: dyl }, { transposeA: false, transposeB: false }));
        s.free(stacked);
      }
      const all = groups.length === 1 ? groups[0]! : s.run('Concat', groups, { axis: 0 });
      return s.reshape(all, [kh, kw, ci, co]);
    }
    const xp = s.padOrCrop(x, [
      [0, 0],
      [top, needH - top - x.shape[1]!],
      [left, needW - left - x.shape[2]!],
      [0, 0],
    ]);
    // dy is the matmul's right operand for every tap: XNNPACK packs it once.
    const dy2 = s.reshape(dy, [p, co]);
    const xT = s.run('Transpose', { x: xp }, { perm: [3, 0, 1, 2] }); // [Ci, N, Hp, Wp]
    const parts: TensorInfo[] = []; // dW[kh,kw] [Ci, Co], in (kh, kw) order
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const tap = s.stridedTake(xT, [0, 0, i * dh, j * dw], [ci, n, oh, ow], [1, 1, sh, sw]);
        const tap2 = s.reshape(tap, [ci, p]);
        parts.push(s.run('BatchMatMul', { a: tap2, b: dy2 }, { transposeA: false, transposeB: false }));
        s.free(tap2);
        s.free(tap);
      }
    }
    s.free(xT);
    const all = parts.length === 1 ? parts[0]! : s.run('Concat', parts, { axis: 0 }); // [KH·KW·Ci, Co]
    return s.reshape(all, [kh, kw, ci, co]);
  });
};

export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter,
};
