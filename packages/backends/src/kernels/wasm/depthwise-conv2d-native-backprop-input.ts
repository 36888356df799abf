import { backend_util, DepthwiseConv2dNativeBackpropInput } from '@tensorflow/tfjs-core';
import type {
  DepthwiseConv2dNativeBackpropInputAttrs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { withScope } from './internal/kernel-scope';

/**
 * dL/dx of a depthwise convolution on the wasm backend (NHWC), as one
 * stride-1 depthwise convolution (the wasm backend's XNNPACK kernel) of the
 * zero-spread, re-padded dy with the spatially flipped filter, then a sum
 * over the channel multiplier. Any stride, dilation and padding.
 *
 * @example
 * ```ts
 * // x [1,8,8,4], w [3,3,4,2] → dx [1,8,8,4]
 * tf.grad((x) => tf.sum(tf.depthwiseConv2d(x, w, 2, 'same')))(x);
 * ```
 */
export const depthwiseConv2dNativeBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, inputShape } =
    attrs as unknown as DepthwiseConv2dNativeBackpropInputAttrs;
  const info = backend_util.computeConv2DInfo(
    inputShape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  const { batchSize: n, inChannels: c, inHeight: h, inWidth: w } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const m = filter.shape[3]!;
  return withScope(backend, (s) => {
    const spread = s.spread(dy, sh, sw); // [N, OH·sh, OW·sw, C·m]
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
    const f = s.reshape(flipped, [kh, kw, c * m, 1]);
    const out = s.run(
      'DepthwiseConv2dNative',
      { x: q, filter: f },
      { strides: [1, 1], pad: 'valid', dilations: [dh, dw], dataFormat: 'NHWC' },
    ); // [N, H, W, C·m]
    if (m === 1) return out;
    const five = s.reshape(out, [n, h, w, c, m]);
    return s.run('Sum', { x: five }, { axis: [4], keepDims: false });
  });
};

export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropInput,
};
