import { FusedBatchNorm, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { oneDnnKernel, type OneDnnKernelFunc } from './conv-kernels';
import { ELEMENTWISE_MIN_SIZE } from './elementwise-kernels';
import { callNative, type OneDnnKernelBackend } from './native-call';

function f32(backend: OneDnnKernelBackend, t: TensorInfo): Float32Array | undefined {
  if (t.dtype !== 'float32') return undefined;
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : undefined;
}

/**
 * tf.batchNorm's inference form, `(x − mean) / √(variance + ε) · scale + offset`
 * per channel of the last axis, on oneDNN's batch normalisation with global
 * statistics. Falls back to the cpu kernel for other dtypes, small tensors and
 * statistics that are not one value per channel (tfjs cycles them over x).
 */
const batchNorm: OneDnnKernelFunc<{ varianceEpsilon?: number }> = (inputs, backend, attrs) => {
  const { x, mean, variance, scale, offset } = inputs as Record<string, TensorInfo | undefined>;
  const xs = f32(backend, x!);
  if (!xs || xs.length < ELEMENTWISE_MIN_SIZE || x!.shape.length < 1) return undefined;
  const channels = x!.shape[x!.shape.length - 1]!;
  const stat = (t: TensorInfo | undefined) => {
    if (t == null) return null;
    const v = f32(backend, t);
    return v && v.length === channels ? v : undefined;
  };
  const [m, v, s, o] = [stat(mean), stat(variance), stat(scale), stat(offset)];
  if (!m || !v || s === undefined || o === undefined) return undefined;
  const y = backend.pool.floats(xs.length);
  const epsilon = attrs.varianceEpsilon ?? 0.001;
  if (!callNative(FusedBatchNorm, () => backend.onednn.batchNormInference(xs, m, v, s, o, y, channels, epsilon))) return undefined;
  return backend.makeTensorInfo([...x!.shape], 'float32', y);
};

/** `FusedBatchNorm` (tf.batchNorm) on oneDNN. */
export function batchNormKernels(cpuKernel: (name: string) => KernelFunc): KernelConfig[] {
  return [oneDnnKernel(FusedBatchNorm, batchNorm, cpuKernel(FusedBatchNorm))];
}
