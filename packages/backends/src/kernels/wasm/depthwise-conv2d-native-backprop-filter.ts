import { backend_util, DepthwiseConv2dNativeBackpropFilter } from '@tensorflow/tfjs-core';
import type {
  DepthwiseConv2dNativeBackpropFilterAttrs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { withScope } from './internal/kernel-scope';

/**
 * dL/dW of a depthwise convolution on the wasm backend (NHWC): for each
 * filter tap, the strided slice of the padded input times dy, summed over
 * batch and space (the wasm backend's Slice, Multiply and Sum kernels).
 * Any stride, dilation and padding; any channel multiplier.
 *
 * @example
 * ```ts
 * // x [1,8,8,4], w [3,3,4,2] → dW [3,3,4,2]
 * tf.grad((w) => tf.sum(tf.depthwiseConv2d(x, w, 1, 'valid')))(w);
 * ```
 */
export const depthwiseConv2dNativeBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, filterShape } =
    attrs as unknown as DepthwiseConv2dNativeBackpropFilterAttrs;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  const { batchSize: n, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const m = filterShape[3];
  return withScope(backend, (s) => {
    const needH = (kh - 1) * dh + sh * (oh - 1) + 1;
    const needW = (kw - 1) * dw + sw * (ow - 1) + 1;
    const xp = s.padOrCrop(x, [
      [0, 0],
      [info.padInfo.top, needH - info.padInfo.top - x.shape[1]!],
      [info.padInfo.left, needW - info.padInfo.left - x.shape[2]!],
      [0, 0],
    ]);
    const p = n * oh * ow;
    const dyr = s.reshape(dy, m === 1 ? [p, c] : [p, c, m]);
    const taps: TensorInfo[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const tap = s.stridedTake(xp, [0, i * dh, j * dw, 0], [n, oh, ow, c], [1, sh, sw, 1]);
        const tapr = s.reshape(tap, m === 1 ? [p, c] : [p, c, 1]);
        const prod = s.run('Multiply', { a: tapr, b: dyr });
        taps.push(s.run('Sum', { x: prod }, { axis: [0], keepDims: true })); // [1, C(, m)]
        s.free(prod);
        s.free(tapr);
        s.free(tap);
      }
    }
    const all = taps.length === 1 ? taps[0]! : s.run('Concat', taps, { axis: 0 });
    return s.reshape(all, [kh, kw, c, m]);
  });
};

export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropFilter,
};
