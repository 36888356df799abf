import { Cast, Select, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { oneDnnKernel, type OneDnnKernelFunc } from './conv-kernels';
import { ELEMENTWISE_MIN_SIZE } from './elementwise-kernels';
import { callNative } from './native-call';

/**
 * `tf.where(condition, t, e)` for float32 `t`/`e` and a condition of the same size, in the
 * addon's loop (the cpu kernel walks it element by element through generic indexing).
 */
const select: OneDnnKernelFunc<unknown> = (inputs, backend) => {
  const { condition, t, e } = inputs as { condition: TensorInfo; t: TensorInfo; e: TensorInfo };
  if (condition.dtype !== 'bool' || t.dtype !== 'float32' || e.dtype !== 'float32') return undefined;
  const [c, tv, ev] = [condition, t, e].map((x) => backend.data.get(x.dataId).values);
  if (!(c instanceof Uint8Array && tv instanceof Float32Array && ev instanceof Float32Array)) return undefined;
  if (tv.length < ELEMENTWISE_MIN_SIZE || c.length !== tv.length || ev.length !== tv.length) return undefined;
  const y = backend.pool.floats(tv.length);
  if (!callNative(Select, () => backend.onednn.select(c, tv, ev, y))) return undefined;
  return backend.makeTensorInfo([...t.shape], 'float32', y);
};

/**
 * `Cast` of bool or int32 to float32 into real float32 storage. The cpu kernel shares the
 * source's `Uint8Array`/`Int32Array` under the float32 dtype (a cast that costs nothing), but
 * every float32 kernel after it (e.g. the mask product of relu6's gradient) then falls back to
 * the cpu's generic loops; one conversion here keeps them native.
 */
const cast: OneDnnKernelFunc<{ dtype: string }> = (inputs, backend, attrs) => {
  const { x } = inputs as { x: TensorInfo };
  if (attrs.dtype !== 'float32' || (x.dtype !== 'bool' && x.dtype !== 'int32')) return undefined;
  const values = backend.data.get(x.dataId).values;
  if (!(values instanceof Uint8Array || values instanceof Int32Array) || values.length < ELEMENTWISE_MIN_SIZE) return undefined;
  const y = backend.pool.floats(values.length);
  y.set(values);
  return backend.makeTensorInfo([...x.shape], 'float32', y);
};

/** `Select` and the `Cast`s to float32 (≥ 4096 elements); everything else on the cpu kernels. */
export function selectCastKernels(cpuKernel: (name: string) => KernelFunc): KernelConfig[] {
  return [oneDnnKernel(Select, select, cpuKernel(Select)), oneDnnKernel(Cast, cast, cpuKernel(Cast))];
}
