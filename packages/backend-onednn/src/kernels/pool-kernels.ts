import {
  AvgPool,
  AvgPoolGrad,
  backend_util,
  MaxPool,
  MaxPoolGrad,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { oneDnnKernel, type OneDnnKernelFunc } from './conv-kernels';
import { callNative, floats } from './native-call';

type PoolAttrs = {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

/**
 * The 14 integers the addon's pooling functions take: NHWC sizes, window,
 * strides, padding top/left and the bottom/right padding that makes oneDNN's
 * output size formula give exactly tfjs's output size.
 */
export function poolParams(info: backend_util.Conv2DInfo): Int32Array {
  const bottom = (info.outHeight - 1) * info.strideHeight + info.filterHeight - info.inHeight - info.padInfo.top;
  const right = (info.outWidth - 1) * info.strideWidth + info.filterWidth - info.inWidth - info.padInfo.left;
  return Int32Array.of(
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
    bottom,
    right,
  );
}

function poolInfo(xShape: number[], attrs: PoolAttrs) {
  const a = attrs;
  return backend_util.computePool2DInfo(xShape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
}

/** A window that covers only padding for some output (oneDNN refuses): left to the cpu kernel. */
const paddingOnlyWindow = (info: backend_util.Conv2DInfo) =>
  info.padInfo.top >= info.filterHeight || info.padInfo.left >= info.filterWidth;

function forward(kernel: string, kind: 0 | 1): OneDnnKernelFunc<PoolAttrs> {
  return (inputs, backend, attrs) => {
    const { x } = inputs as { x: TensorInfo };
    if (x.shape.length !== 4) return undefined;
    const info = poolInfo(x.shape, attrs);
    if (paddingOnlyWindow(info)) return undefined;
    const xs = floats(backend, x, kernel, 'x');
    const y = backend.pool.floats(info.batchSize * info.outHeight * info.outWidth * info.outChannels);
    const params = poolParams(info);
    if (!callNative(kernel, () => backend.onednn.pool2dForward(xs, y, params, kind))) return undefined;
    return backend.makeTensorInfo([info.batchSize, info.outHeight, info.outWidth, info.outChannels], 'float32', y);
  };
}

const maxPoolGrad: OneDnnKernelFunc<PoolAttrs> = (inputs, backend, attrs) => {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const info = poolInfo(input.shape, attrs);
  if (paddingOnlyWindow(info)) return undefined;
  const xs = floats(backend, input, MaxPoolGrad, 'input');
  const dys = floats(backend, dy, MaxPoolGrad, 'dy');
  const dx = backend.pool.floats(xs.length);
  const params = poolParams(info);
  if (!callNative(MaxPoolGrad, () => backend.onednn.maxPool2dBackward(xs, dys, dx, params))) return undefined;
  return backend.makeTensorInfo([...input.shape], 'float32', dx);
};

const avgPoolGrad: OneDnnKernelFunc<PoolAttrs> = (inputs, backend, attrs) => {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const info = poolInfo(input.shape, attrs);
  if (paddingOnlyWindow(info)) return undefined;
  const dys = floats(backend, dy, AvgPoolGrad, 'dy');
  const dx = backend.pool.floats(input.shape.reduce((a, b) => a * b, 1));
  const params = poolParams(info);
  if (!callNative(AvgPoolGrad, () => backend.onednn.avgPool2dBackward(dys, dx, params))) return undefined;
  return backend.makeTensorInfo([...input.shape], 'float32', dx);
};

/** Max and average pooling and their gradients on oneDNN, with the cpu kernels they fall back to. */
export function poolKernels(cpuKernel: (name: string) => KernelFunc): KernelConfig[] {
  const k = (name: string, run: OneDnnKernelFunc<PoolAttrs>) => oneDnnKernel(name, run, cpuKernel(name));
  return [k(MaxPool, forward(MaxPool, 0)), k(AvgPool, forward(AvgPool, 1)), k(MaxPoolGrad, maxPoolGrad), k(AvgPoolGrad, avgPoolGrad)];
}
