import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';

type Pair = [number, number];

function pair(v: unknown): Pair {
  if (Array.isArray(v)) return [Number(v[0]), Number(v[1])];
  const n = v == null ? 1 : Number(v);
  return [n, n];
}

/**
 * The filter of a dilated convolution written out with zeros:
 * [KH, KW, …] → [(KH−1)·dh+1, (KW−1)·dw+1, …]. conv(x, w, dilation d)
 * equals conv(x, spreadFilter(w, d), dilation 1), padding included.
 */
function spreadFilter(w: Tensor, [dh, dw]: Pair): Tensor {
  const [kh, kw, a, b] = w.shape as [number, number, number, number];
  const six = tf.reshape(w, [kh, 1, kw, 1, a, b]);
  const padded = tf.pad(six, [
    [0, 0],
    [0, dh - 1],
    [0, 0],
    [0, dw - 1],
    [0, 0],
    [0, 0],
  ]);
  const full = tf.reshape(padded, [kh * dh, kw * dw, a, b]);
  return tf.slice(full, [0, 0, 0, 0], [(kh - 1) * dh + 1, (kw - 1) * dw + 1, a, b]);
}

/** Every d-th tap of a spread filter's gradient: the gradient of the original filter. */
function gatherTaps(g: Tensor, [dh, dw]: Pair): Tensor {
  const [h, w, a, b] = g.shape as [number, number, number, number];
  return tf.stridedSlice(g, [0, 0, 0, 0], [h, w, a, b], [dh, dw, 1, 1]);
}

/**
 * Wraps a tfjs conv gradient so that dilation > 1 works (tfjs 4.22's own
 * refuses it on every backend): with dilation the gradients are those of the
 * equivalent undilated convolution with a zero-spread filter, on whatever
 * backend runs. Dilation 1 goes to the original unchanged.
 */
function withDilation(original: GradConfig, backpropInput: string, backpropFilter: string): GradConfig {
  return {
    ...original,
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
      const d = pair(attrs.dilations);
      if (d[0] === 1 && d[1] === 1) return original.gradFunc(dy, saved, attrs);
      const [x, filter] = saved as [Tensor, Tensor];
      const g = dy as Tensor;
      const { strides, pad, dimRoundingMode } = attrs;
      const base = { strides, pad, dimRoundingMode, dilations: 1, dataFormat: 'NHWC' };
      return {
        x: () =>
          tf.tidy(() => {
            const wd = spreadFilter(filter, d);
            return tf.engine().runKernel(backpropInput, { dy: g, filter: wd }, { ...base, inputShape: x.shape }) as Tensor;
          }),
        filter: () =>
          tf.tidy(() => {
            const shape = [(filter.shape[0]! - 1) * d[0] + 1, (filter.shape[1]! - 1) * d[1] + 1, filter.shape[2]!, filter.shape[3]!];
            const gd = tf.engine().runKernel(backpropFilter, { x, dy: g }, { ...base, filterShape: shape }) as Tensor;
            return gatherTaps(gd, d);
          }),
      };
    },
  };
}

/** Conv2D's gradient with dilation support. */
export function dilatedConv2DGrad(original: GradConfig): GradConfig {
  return withDilation(original, 'Conv2DBackpropInput', 'Conv2DBackpropFilter');
}

/** DepthwiseConv2dNative's gradient with dilation support. */
export function dilatedDepthwiseGrad(original: GradConfig): GradConfig {
  return withDilation(original, 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter');
}
