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
    if (!callNative(kernel, () => backend.onednn.conv2dForward(xs, ws, y, params, bs, activation))) return undefined;
    return backend.makeTensorInfo([info.batchSize, info.outHeight, info.outWidth, info.outChannels], 'float32', y);
  };
}

function backwardInput(kernel: string, depthwise: boolean): OneDnnKernelFunc {
  return (inputs, backend, attrs) => {
    if (!isNhwc(attrs)) return undefined;
    const { dy, filter } = inputs as Record<string, TensorInfo>;
    const info = conv2dInfo(attrs.inputShape!, filter!.shape, attrs, depthwise);
    const dys = floats(backend, dy!, kernel, 'dy');
    const ws = floats(backend, filter!, kernel, 'filter');
    const dx = backend.pool.floats(info.batchSize * info.inHeight * info.inWidth * info.inChannels);
    const params = convParams(info, depthwise ? info.inChannels : 1);
    if (!callNative(kernel, () => backend.onednn.conv2dBackwardData(dys, ws, dx, params))) return undefined;
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

