import {
  backend_util,
  Conv2D,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  DepthwiseConv2dNative,
  DepthwiseConv2dNativeBackpropFilter,
  DepthwiseConv2dNativeBackpropInput,
  FusedConv2D,
  type KernelConfig,
  type KernelFunc,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { WeightsCache } from '../native';
import { callNative, convParams, floats, type OneDnnKernelBackend } from './native-call';

type Shape4 = [number, number, number, number];
type ConvAttrs = {
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape?: Shape4;
  filterShape?: Shape4;
  activation?: backend_util.Activation;
};

/** A oneDNN kernel: returns undefined to hand the call to the cpu kernel of the same name. */
export type OneDnnKernelFunc<A = ConvAttrs> = (inputs: NamedTensorInfoMap, backend: OneDnnKernelBackend, attrs: A) => TensorInfo | undefined;

/**
 * A `KernelConfig` for the oneDNN backend that runs `run`, and the cpu kernel
 * `fallback` whenever `run` declines (NCHW, an activation oneDNN does not fuse,
 * a shape oneDNN has no implementation for).
 */
export function oneDnnKernel<A>(kernelName: string, run: OneDnnKernelFunc<A>, fallback: KernelFunc): KernelConfig {
  return {
    kernelName,
    backendName: 'onednn',
    kernelFunc: (args) => {
      const out = run(args.inputs, args.backend as unknown as OneDnnKernelBackend, args.attrs as unknown as A);
      return out ?? fallback(args);
    },
  };
}

const isNhwc = (attrs: ConvAttrs) => (attrs.dataFormat ?? 'NHWC') === 'NHWC';

function conv2dInfo(xShape: number[], filterShape: number[], attrs: ConvAttrs, depthwise: boolean, dilations = attrs.dilations ?? 1) {
  return backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    attrs.strides,
    dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
  );
}

const ACTIVATIONS: Partial<Record<backend_util.Activation, number>> = { linear: 0, relu: 1, relu6: 2 };

function forward(kernel: string, depthwise: boolean, fused: boolean): OneDnnKernelFunc {
  return (inputs, backend, attrs) => {
    if (!isNhwc(attrs)) return undefined;
    const { x, filter, bias, preluActivationWeights } = inputs as Record<string, TensorInfo | undefined>;
    let activation = 0;
    if (fused) {
      const code = ACTIVATIONS[attrs.activation ?? 'linear'];
      if (code === undefined || preluActivationWeights != null) return undefined;
      activation = code;
    }
    const info = conv2dInfo(x!.shape, filter!.shape, attrs, depthwise);
    if (bias != null && (bias.shape.length !== 1 || bias.shape[0] !== info.outChannels)) return undefined;
    const xs = floats(backend, x!, kernel, 'x');
    const ws = floats(backend, filter!, kernel, 'filter');
    const bs = bias != null ? floats(backend, bias, kernel, 'bias') : null;
    const y = backend.pool.floats(info.batchSize * info.outHeight * info.outWidth * info.outChannels);
    const params = convParams(info, depthwise ? info.inChannels : 1);
    const state = filterState(filter!.dataId, ws);
    const cache = ++state.forwards >= FORWARDS_BEFORE_CACHING ? (state.weights ??= backend.onednn.newWeightsCache()) : null;
    if (!callNative(kernel, () => backend.onednn.conv2dForward(xs, ws, y, params, bs, activation, cache))) return undefined;
    return backend.makeTensorInfo([info.batchSize, info.outHeight, info.outWidth, info.outChannels], 'float32', y);
  };
}

/**
 * What the kernels keep per filter tensor, keyed by its dataId and checked
 * against its values array (a live tensor's values never change; a new array
 * under the same dataId starts afresh): how often it was the filter of a
 * forward convolution and of an input gradient, its values in the layouts
 * oneDNN's primitives want (`weights`), and the flipped filter with its own
 * layouts (`flipped`). The flipped filter and the input gradient's layouts
 * are made on a filter's second input gradient, the forward layouts on its
 * third forward: a style-transfer step or an inference loop, whose filters
 * are constants, pays for each once, while a training step, whose filters
 * are new tensors every step (one input gradient, and one or two forwards —
 * a forward without gradients to mine triplets, then the training forward),
 * never pays for a copy it would use once or twice: caching from the second
 * forward made a face ResNet fine-tuning epoch 7–14 % slower (1331–1428 vs
 * 1433–1629 ms, alternating runs, 2026-12-04).
 */
interface FilterState {
  values: Float32Array;
  forwards: number;
  inputGradients: number;
  weights?: WeightsCache;
  flipped?: { values: Float32Array; weights: WeightsCache };
}

const filterStates = new WeakMap<object, FilterState>();

/** The forward call of a filter tensor from which its layouts are cached (see {@link FilterState}). */
const FORWARDS_BEFORE_CACHING = 3;

function filterState(dataId: object, values: Float32Array): FilterState {
  let state = filterStates.get(dataId);
  if (state?.values !== values) {
    state = { values, forwards: 0, inputGradients: 0 };
    filterStates.set(dataId, state);
  }
  return state;
}

/**
 * The filter of the forward convolution that gives a stride-1 convolution's
 * input gradient: spatially flipped, input and output channels swapped
 * (`[KH, KW, Cin, Cout]` → `w'[kh, kw, co, ci] = w[KH-1-kh, KW-1-kw, ci, co]`);
 * 2–6 ms for a [3, 3, 256, 256] filter in JavaScript, more than the
 * backward-data kernel loses on a [32, 10, 10, 256] batch, hence made only on
 * a filter's second input gradient (see {@link FilterState}).
 */
function flipFilter(w: Float32Array, [kh, kw, cin, cout]: readonly number[]): Float32Array {
  const flipped = new Float32Array(w.length);
  const block = cin * cout;
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const from = ((kh - 1 - i) * kw + (kw - 1 - j)) * block;
      const to = (i * kw + j) * block;
      for (let ci = 0; ci < cin; ci++) for (let co = 0; co < cout; co++) flipped[to + co * cin + ci] = w[from + ci * cout + co]!;
    }
  }
  return flipped;
}

/**
 * A stride-1 convolution's input gradient as a forward convolution of dy with
 * the flipped filter (padding effective size − 1 − the forward's padding on
 * each side), or undefined where that does not apply (strides, groups,
 * padding beyond the filter, few output channels). oneDNN 2.6 has its
 * brgemm kernels for forward convolutions only: its backward-data kernel
 * (jit:avx512_core) took 1.45× the forward's time on VGG-19's layers.
 */
function backwardInputAsForward(info: backend_util.Conv2DInfo): Int32Array | undefined {
  if (info.strideHeight !== 1 || info.strideWidth !== 1 || info.inChannels < FLIP_MIN_CHANNELS || info.outChannels < FLIP_MIN_CHANNELS) return undefined;
  const p = convParams(info, 1);
  const effH = (info.filterHeight - 1) * info.dilationHeight + 1;
  const effW = (info.filterWidth - 1) * info.dilationWidth + 1;
  const pad = [effH - 1 - p[13]!, effW - 1 - p[14]!, effH - 1 - p[15]!, effW - 1 - p[16]!];
  if (pad.some((v) => v < 0)) return undefined;
  return Int32Array.of(
    info.batchSize,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.filterHeight,
    info.filterWidth,
    1,
    1,
    info.dilationHeight,
    info.dilationWidth,
    ...pad,
    1,
  );
}

/** Fewest channels (in and out) for which the input gradient runs as a forward convolution. */
const FLIP_MIN_CHANNELS = 16;

function backwardInput(kernel: string, depthwise: boolean): OneDnnKernelFunc {
  return (inputs, backend, attrs) => {
    if (!isNhwc(attrs)) return undefined;
    const { dy, filter } = inputs as Record<string, TensorInfo>;
    const info = conv2dInfo(attrs.inputShape!, filter!.shape, attrs, depthwise);
    const dys = floats(backend, dy!, kernel, 'dy');
    const ws = floats(backend, filter!, kernel, 'filter');
    const dx = backend.pool.floats(info.batchSize * info.inHeight * info.inWidth * info.inChannels);
    const state = filterState(filter!.dataId, ws);
    const again = ++state.inputGradients >= 2;
    const asForward = depthwise ? undefined : backwardInputAsForward(info);
    if (asForward && again) {
      const flipped = (state.flipped ??= { values: flipFilter(ws, filter!.shape), weights: backend.onednn.newWeightsCache() });
      if (callNative(kernel, () => backend.onednn.conv2dForward(dys, flipped.values, dx, asForward, null, 0, flipped.weights))) {
        return backend.makeTensorInfo([...attrs.inputShape!], 'float32', dx);
      }
    }
    const params = convParams(info, depthwise ? info.inChannels : 1);
    const cache = again ? (state.weights ??= backend.onednn.newWeightsCache()) : null;
    if (!callNative(kernel, () => backend.onednn.conv2dBackwardData(dys, ws, dx, params, cache))) return undefined;
    return backend.makeTensorInfo([...attrs.inputShape!], 'float32', dx);
  };
}

function backwardFilter(kernel: string, depthwise: boolean): OneDnnKernelFunc {
  return (inputs, backend, attrs) => {
    if (!isNhwc(attrs)) return undefined;
    const { x, dy } = inputs as Record<string, TensorInfo>;
    const info = conv2dInfo(x!.shape, attrs.filterShape!, attrs, depthwise);
    const xs = floats(backend, x!, kernel, 'x');
    const dys = floats(backend, dy!, kernel, 'dy');
    const dw = backend.pool.floats(attrs.filterShape!.reduce((a, b) => a * b, 1));
    const params = convParams(info, depthwise ? info.inChannels : 1);
    if (!callNative(kernel, () => backend.onednn.conv2dBackwardWeights(xs, dys, dw, params))) return undefined;
    return backend.makeTensorInfo([...attrs.filterShape!], 'float32', dw);
  };
}

/** The convolution kernels on oneDNN, with the cpu kernels they fall back to. */
export function convKernels(cpuKernel: (name: string) => KernelFunc): KernelConfig[] {
  const k = (name: string, run: OneDnnKernelFunc) => oneDnnKernel(name, run, cpuKernel(name));
  return [
    k(Conv2D, forward(Conv2D, false, false)),
    k(FusedConv2D, forward(FusedConv2D, false, true)),
    k(Conv2DBackpropInput, backwardInput(Conv2DBackpropInput, false)),
    k(Conv2DBackpropFilter, backwardFilter(Conv2DBackpropFilter, false)),
    k(DepthwiseConv2dNative, forward(DepthwiseConv2dNative, true, false)),
    k(DepthwiseConv2dNativeBackpropInput, backwardInput(DepthwiseConv2dNativeBackpropInput, true)),
    k(DepthwiseConv2dNativeBackpropFilter, backwardFilter(DepthwiseConv2dNativeBackpropFilter, true)),
  ];
}

