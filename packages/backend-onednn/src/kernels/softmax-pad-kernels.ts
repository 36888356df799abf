import { PadV2, Softmax, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { oneDnnKernel, type OneDnnKernelFunc } from './conv-kernels';
import { ELEMENTWISE_MIN_SIZE } from './elementwise-kernels';
import { callNative, type OneDnnKernelBackend } from './native-call';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function f32(backend: OneDnnKernelBackend, t: TensorInfo): Float32Array | undefined {
  if (t.dtype !== 'float32') return undefined;
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : undefined;
}

/** `tf.softmax` over the last axis (the only one tfjs allows) on oneDNN's softmax (float32, ≥ 4096 elements). */
const softmax: OneDnnKernelFunc<{ dim: number }> = (inputs, backend, attrs) => {
  const { logits } = inputs as { logits: TensorInfo };
  const xs = f32(backend, logits);
  const rank = logits.shape.length;
  if (!xs || xs.length < ELEMENTWISE_MIN_SIZE || rank < 1) return undefined;
  if (attrs.dim !== -1 && attrs.dim !== rank - 1) return undefined; // the cpu kernel says what is unsupported
  const cols = logits.shape[rank - 1]!;
  const y = backend.pool.floats(xs.length);
  if (!callNative(Softmax, () => backend.onednn.softmax(xs, y, xs.length / cols, cols))) return undefined;
  return backend.makeTensorInfo([...logits.shape], 'float32', y);
};

/** `tf.pad` with a constant (float32, ≥ 4096 output elements, non-negative paddings): a fill and a reorder into a sub-view. */
const pad: OneDnnKernelFunc<{ paddings: [number, number][]; constantValue: number }> = (inputs, backend, attrs) => {
  const { x } = inputs as { x: TensorInfo };
  const xs = f32(backend, x);
  const rank = x.shape.length;
  if (!xs || rank < 1 || rank > 6 || attrs.paddings.length !== rank) return undefined;
  if (attrs.paddings.some(([b, a]) => !(Number.isInteger(b) && Number.isInteger(a) && b >= 0 && a >= 0))) return undefined;
  const out = x.shape.map((d, i) => d + attrs.paddings[i]![0] + attrs.paddings[i]![1]);
  if (size(out) < ELEMENTWISE_MIN_SIZE || size(x.shape) === 0) return undefined;
  const y = backend.pool.floats(size(out));
  const before = Int32Array.from(attrs.paddings.map(([b]) => b));
  const run = () => backend.onednn.pad(xs, y, Int32Array.from(x.shape), before, Int32Array.from(out), attrs.constantValue ?? 0);
  if (!callNative(PadV2, run)) return undefined;
  return backend.makeTensorInfo(out, 'float32', y);
};

/** `Softmax` and `PadV2` on oneDNN. */
export function softmaxPadKernels(cpuKernel: (name: string) => KernelFunc): KernelConfig[] {
  return [oneDnnKernel(Softmax, softmax, cpuKernel(Softmax)), oneDnnKernel(PadV2, pad, cpuKernel(PadV2))];
}
