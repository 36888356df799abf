import {
  Abs,
  ClipByValue,
  Add,
  backend_util,
  Elu,
  Equal,
  Exp,
  Greater,
  GreaterEqual,
  Less,
  LessEqual,
  Maximum,
  Minimum,
  Neg,
  NotEqual,
  SquaredDifference,
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

// Codes of the addon's eltwise(): relu(α), clip[α, β], logistic, tanh, exp, log, sqrt, square, abs, elu(α), linear α·x + β.
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
  [Neg, 10, () => [-1, 0]],
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

/**
 * `a ∘ b` with numpy broadcasting of either or both operands, in the addon's own vectorised,
 * multi-threaded loop: arithmetic into float32, comparisons into bool (tfjs's Uint8Array storage).
 */
function broadcast(kernel: string, code: number, out: 'float32' | 'bool'): OneDnnKernelFunc<unknown> {
  return (inputs, backend) => {
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const as = f32(backend, a);
    const bs = f32(backend, b);
    if (!as || !bs) return undefined;
    const shape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const n = size(shape);
    if (n < ELEMENTWISE_MIN_SIZE || shape.length > 6) return undefined;
    const pad = (s: readonly number[]) => Int32Array.from([...Array<number>(shape.length - s.length).fill(1), ...s]);
    const y = out === 'bool' ? backend.pool.bytes(n) : backend.pool.floats(n);
    if (!callNative(kernel, () => backend.onednn.broadcast2(as, bs, y, code, pad(a.shape), pad(b.shape), Int32Array.from(shape)))) return undefined;
    return backend.makeTensorInfo(shape, out, y);
  };
}

/** Float32 arithmetic with broadcasting, and the addon's code for it. */
const ARITHMETIC: [string, number][] = [
  [Add, 0],
  [Sub, 1],
  [Multiply, 2],
  [RealDiv, 3],
  [Maximum, 4],
  [Minimum, 5],
  [SquaredDifference, 6],
];

/** Float32 comparisons with broadcasting (bool results), and the addon's code for each. */
const COMPARISONS: [string, number][] = [
  [Less, 10],
  [LessEqual, 11],
  [Greater, 12],
  [GreaterEqual, 13],
  [Equal, 14],
  [NotEqual, 15],
];

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

/**
 * Elementwise functions (oneDNN's eltwise), arithmetic and comparisons with broadcasting of
 * either operand (the addon's loops) and sum/mean reductions (float32, ≥ 4096 elements).
 */
export function elementwiseKernels(cpuKernel: (name: string) => KernelFunc): KernelConfig[] {
  return [
    ...UNARY.map(([name, code, params]) => oneDnnKernel(name, unary(name, code, params), cpuKernel(name))),
    oneDnnKernel(Step, step, cpuKernel(Step)),
    ...ARITHMETIC.map(([name, code]) => oneDnnKernel(name, broadcast(name, code, 'float32'), cpuKernel(name))),
    ...COMPARISONS.map(([name, code]) => oneDnnKernel(name, broadcast(name, code, 'bool'), cpuKernel(name))),
    oneDnnKernel(Sum, reduction(Sum, 0), cpuKernel(Sum)),
    oneDnnKernel(Mean, reduction(Mean, 1), cpuKernel(Mean)),
  ];
}
