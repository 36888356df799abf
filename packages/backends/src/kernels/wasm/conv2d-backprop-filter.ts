import { backend_util, Conv2DBackpropFilter } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { withScope } from './internal/kernel-scope';

/**
 * dL/dW of a 2-D convolution on the wasm backend (NHWC), built from the wasm
 * backend's own Pad, Slice/StridedSlice, Concat, Transpose and BatchMatMul
 * (XNNPACK). tfjs-backend-wasm 4.22 has no such kernel.
 *
 * For each filter row kh the KW taps of the padded input are gathered side by
 * side, X_kh [N·OH·OW, KW·Ci], and multiplied by dyᵀ [Co, N·OH·OW] once:
 * dW[kh] = (dyᵀ · X_kh)ᵀ. Any stride, padding ('same', 'valid', explicit).
 *
 * @example
 * ```ts
 * // x [2,9,9,3], dy [2,5,5,8] → dW [3,3,3,8]
 * tf.grad((w) => tf.sum(tf.conv2d(x, w, 2, 'same')))(w);
 * ```
 */
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
    const xp = s.padOrCrop(x, [
      [0, 0],
      [top, needH - top - x.shape[1]!],
      [left, needW - left - x.shape[2]!],
      [0, 0],
    ]);
    const dy2 = s.reshape(dy, [p, co]);
    const dyT = s.run('Transpose', { x: dy2 }, { perm: [1, 0] }); // [Co, P]
    const rows: TensorInfo[] = [];
    for (let i = 0; i < kh; i++) {
      const taps: TensorInfo[] = [];
      const raw: TensorInfo[] = [];
      for (let j = 0; j < kw; j++) {
        const tap = s.stridedTake(xp, [0, i * dh, j * dw, 0], [n, oh, ow, ci], [1, sh, sw, 1]);
        raw.push(tap);
        taps.push(s.reshape(tap, [p, ci]));
      }
      const group = taps.length === 1 ? taps[0]! : s.run('Concat', taps, { axis: 1 }); // [P, KW·Ci]
      if (group !== taps[0]) for (const t of [...taps, ...raw]) s.free(t);
      rows.push(s.run('BatchMatMul', { a: dyT, b: group }, { transposeA: false, transposeB: false })); // [Co, KW·Ci]
      s.free(group);
    }
    const all = rows.length === 1 ? rows[0]! : s.run('Concat', rows, { axis: 1 }); // [Co, KH·KW·Ci]
    const all2 = s.reshape(all, [co, kh * kw * ci]);
    const t = s.run('Transpose', { x: all2 }, { perm: [1, 0] });
    return s.reshape(t, [kh, kw, ci, co]);
  });
};

export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter,
};
