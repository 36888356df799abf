import {
  Abs,
  ClipByValue,
  Add,
  backend_util,
  Elu,
  Exp,
  LeakyRelu,
  Log,
  Mean,
  Multiply,
  RealDiv,
  Relu,
  Relu6,
  Sigmoid,
  Sqrt,
  Square,
  Step,
  Sub,
  Sum,
  Tanh,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import { oneDnnKernel, type OneDnnKernelFunc } from './conv-kernels';
import { callNative, type OneDnnKernelBackend } from './native-call';

/**
 * Below this many elements the cpu kernel runs: a native call and a cached
 * primitive per size cost more than the JavaScript loop.
 */
export const ELEMENTWISE_MIN_SIZE = 4096;

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** float32 storage of `t`, or undefined (another dtype: the cpu kernel handles it, as for any tfjs op). */
function f32(backend: OneDnnKernelBackend, t: TensorInfo): Float32Array | undefined {
  if (t.dtype !== 'float32') return undefined;
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : undefined;
}

// Codes of the addon's eltwise(): relu(α), clip[α, β], logistic, tanh, exp, log, sqrt, square, abs, elu(α).
const UNARY: [string, number, (attrs: Record<string, number>) => [number, number]][] = [
  [Relu, 0, () => [0, 0]],
  [LeakyRelu, 0, (a) => [a.alpha ?? 0.2, 0]],
  [Relu6, 1, () => [0, 6]],
  [ClipByValue, 1, (a) => [a.clipValueMin!, a.clipValueMax!]],
  [Sigmoid, 2, () => [0, 0]],
  [Tanh, 3, () => [0, 0]],
  [Exp, 4, () => [0, 0]],
  [Log, 5, () => [0, 0]],
  [Sqrt, 6, () => [0, 0]],
  [Square, 7, () => [0, 0]],
  [Abs, 8, () => [0, 0]],
  [Elu, 9, () => [1, 0]],
];

function unary(kernel: string, code: number, params: (attrs: Record<string, number>) => [number, number]): OneDnnKernelFunc<Record<string, number>> {
  return (inputs, backend, attrs) => {
    const { x } = inputs as { x: TensorInfo };
    const xs = f32(backend, x);
    if (!xs || xs.length < ELEMENTWISE_MIN_SIZE) return undefined;
    const y = backend.pool.floats(xs.length);
    const [alpha, beta] = params(attrs);
    if (!callNative(kernel, () => backend.onednn.eltwise(xs, y, code, alpha, beta))) return undefined;
    return backend.makeTensorInfo([...x.shape], 'float32', y);
  };
}

const step: OneDnnKernelFunc<{ alpha?: number }> = (inputs, backend, attrs) => {
  const { x } = inputs as { x: TensorInfo };
  const xs = f32(backend, x);
  if (!xs || xs.length < ELEMENTWISE_MIN_SIZE) return undefined;
  const y = backend.pool.floats(xs.length);
  if (!callNative(Step, () => backend.onednn.step(xs, y, attrs.alpha ?? 0))) return undefined;
  return backend.makeTensorInfo([...x.shape], 'float32', y);
};

function binary(kernel: string, code: number, commutative: boolean): OneDnnKernelFunc<unknown> {
  return (inputs, backend) => {
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    let as = f32(backend, a);
    let bs = f32(backend, b);
    if (!as || !bs) return undefined;
    const out = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    if (size(out) < ELEMENTWISE_MIN_SIZE || out.length > 6) return undefined;
    let other = b.shape;
    if (size(a.shape) !== size(out)) {
      // The full-size operand must come first; only a commutative op may swap.
      if (!commutative || size(b.shape) !== size(out)) return undefined;
      [as, bs] = [bs, as];
      other = a.shape;
    }
    const dimsA = Int32Array.from(out);
    const dimsB = Int32Array.from([...Array<number>(out.length - other.length).fill(1), ...other]);
    const y = backend.pool.floats(size(out));
    const [x0, x1] = [as, bs];
    if (!callNative(kernel, () => backend.onednn.binary(x0, x1, y, code, dimsA, dimsB))) return undefined;
    return backend.makeTensorInfo(out, 'float32', y);
  };
}

function reduction(kernel: string, code: number): OneDnnKernelFunc<{ axis: number | number[]; keepDims: boolean }> {
  return (inputs, backend, attrs) => {
    const { x } = inputs as { x: TensorInfo };
    const xs = f32(backend, x);
    if (!xs || xs.length < ELEMENTWISE_MIN_SIZE || x.shape.length > 6) return undefined;
    const axes = util.parseAxisParam(attrs.axis, x.shape);
    const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const y = backend.pool.floats(size(kept));
    const ok = callNative(kernel, () => backend.onednn.reduce(xs, y, code, Int32Array.from(x.shape), Int32Array.from(kept)));
    if (!ok) return undefined;
    const shape = attrs.keepDims ? kept : x.shape.filter((_, i) => !axes.includes(i));
    return backend.makeTensorInfo(shape, 'float32', y);
  };
}

/** Elementwise functions, broadcasting arithmetic and sum/mean reductions on oneDNN (float32, ≥ 4096 elements). */
export function elementwiseKernels(cpuKernel: (name: string) => KernelFunc): KernelConfig[] {
  return [
    ...UNARY.map(([name, code, params]) => oneDnnKernel(name, unary(name, code, params), cpuKernel(name))),
    oneDnnKernel(Step, step, cpuKernel(Step)),
    oneDnnKernel(Add, binary(Add, 0, true), cpuKernel(Add)),
    oneDnnKernel(Sub, binary(Sub, 1, false), cpuKernel(Sub)),
    oneDnnKernel(Multiply, binary(Multiply, 2, true), cpuKernel(Multiply)),
    oneDnnKernel(RealDiv, binary(RealDiv, 3, false), cpuKernel(RealDiv)),
    oneDnnKernel(Sum, reduction(Sum, 0), cpuKernel(Sum)),
    oneDnnKernel(Mean, reduction(Mean, 1), cpuKernel(Mean)),
  ];
}
