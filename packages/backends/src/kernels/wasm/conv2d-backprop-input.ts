import { backend_util, Conv2DBackpropInput } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropInputAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { withScope } from './internal/kernel-scope';

/**
 * dL/dx of a 2-D convolution on the wasm backend (NHWC), as one stride-1
 * forward convolution (the wasm backend's XNNPACK Conv2D) of the zero-spread,
 * re-padded dy with the flipped, in/out-swapped filter. Replaces
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

export const conv2dBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropInput,
};
