import {
  _FusedMatMul,
  BatchMatMul,
  backend_util,
  broadcast_util,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { oneDnnKernel, type OneDnnKernelFunc } from './conv-kernels';
import { callNative, type OneDnnKernelBackend } from './native-call';

/**
 * Below this many multiply-adds (batch · M · N · K) the cpu kernel runs: a
 * native call costs more than the JavaScript loop for tiny products.
 */
export const MATMUL_MIN_MACS = 4096;

/** The most axes the addon takes (oneDNN's descriptors allow more; tfjs models never get near). */
const MAX_RANK = 6;

type MatMulAttrs = {
  transposeA: boolean;
  transposeB: boolean;
  activation?: backend_util.Activation;
  leakyreluAlpha?: number;
};

/** The addon's eltwise code and its α, β for each activation oneDNN fuses as a post-op (prelu: the cpu kernel). */
function activationOp(attrs: MatMulAttrs): [number, number, number] | undefined {
  switch (attrs.activation ?? 'linear') {
    case 'linear':
      return [-1, 0, 0];
    case 'relu':
      return [0, 0, 0];
    case 'leakyrelu':
      return [0, attrs.leakyreluAlpha ?? 0.2, 0];
    case 'relu6':
      return [1, 0, 6];
    case 'sigmoid':
      return [2, 0, 0];
    case 'elu':
      return [9, 1, 0];
    default:
      return undefined;
  }
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const padTo = (shape: readonly number[], rank: number) => [...Array<number>(rank - shape.length).fill(1), ...shape];

function f32(backend: OneDnnKernelBackend, t: TensorInfo): Float32Array | undefined {
  if (t.dtype !== 'float32') return undefined;
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : undefined;
}

/**
 * `act(op(a) · op(b) + bias)` on a oneDNN matmul primitive (cached per shape,
 * transposes read through strides, batch axes broadcast), or undefined for the
 * cpu kernel: other dtypes, tiny products, prelu, a bias that would grow the output.
 */
function matMul(kernel: string, fused: boolean): OneDnnKernelFunc<MatMulAttrs> {
  return (inputs, backend, attrs) => {
    const { a, b, bias, preluActivationWeights } = inputs as Record<string, TensorInfo | undefined>;
    const as = f32(backend, a!);
    const bs = f32(backend, b!);
    if (!as || !bs || a!.shape.length < 2 || b!.shape.length < 2) return undefined;
    const op = fused ? activationOp(attrs) : ([-1, 0, 0] as [number, number, number]);
    if (!op || preluActivationWeights != null) return undefined;
    const rank = Math.max(a!.shape.length, b!.shape.length);
    if (rank > MAX_RANK) return undefined;
    const dimsA = padTo(a!.shape, rank);
    const dimsB = padTo(b!.shape, rank);
    const m = attrs.transposeA ? dimsA[rank - 1]! : dimsA[rank - 2]!;
    const k = attrs.transposeA ? dimsA[rank - 2]! : dimsA[rank - 1]!;
    const n = attrs.transposeB ? dimsB[rank - 2]! : dimsB[rank - 1]!;
    // Mismatched inner or batch sizes: the cpu kernel raises tfjs's own error.
    if (k !== (attrs.transposeB ? dimsB[rank - 1] : dimsB[rank - 2])) return undefined;
    let outer: number[];
    try {
      outer = broadcast_util.assertAndGetBroadcastShape(a!.shape.slice(0, -2), b!.shape.slice(0, -2));
    } catch {
      return undefined;
    }
    const out = [...outer, m, n];
    if (size(out) * k < MATMUL_MIN_MACS) return undefined;
    let bias32: Float32Array | null = null;
    let dimsBias: Int32Array | null = null;
    if (bias != null) {
      bias32 = f32(backend, bias) ?? null;
      if (!bias32 || bias.shape.length > rank) return undefined;
      const db = padTo(bias.shape, rank);
      if (db.some((d, i) => d !== 1 && d !== out[i])) return undefined;
      dimsBias = Int32Array.from(db);
    }
    const y = backend.pool.floats(size(out));
    const run = () =>
      backend.onednn.matMul(as, bs, y, Int32Array.from(dimsA), Int32Array.from(dimsB), attrs.transposeA, attrs.transposeB, bias32, dimsBias, ...op);
    if (!callNative(kernel, run)) return undefined;
    return backend.makeTensorInfo(out, 'float32', y);
  };
}

/** `BatchMatMul` (every tf.matMul) and `_FusedMatMul` (bias + activation as post-ops) on oneDNN. */
export function matMulKernels(cpuKernel: (name: string) => KernelFunc): KernelConfig[] {
  return [
    oneDnnKernel(BatchMatMul, matMul(BatchMatMul, false), cpuKernel(BatchMatMul)),
    oneDnnKernel(_FusedMatMul, matMul(_FusedMatMul, true), cpuKernel(_FusedMatMul)),
  ];
}
