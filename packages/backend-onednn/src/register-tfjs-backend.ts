import { InvalidArgumentError } from '@likeness/backends';
import * as tf from '@tensorflow/tfjs-core';
import { BufferPool, type BufferPoolStats } from './buffer-pool';
import { activationGradKernels } from './kernels/activation-grad-kernels';
import { batchNormKernels } from './kernels/batch-norm-kernel';
import { convKernels } from './kernels/conv-kernels';
import { elementwiseKernels } from './kernels/elementwise-kernels';
import { matMulKernels } from './kernels/matmul-kernels';
import { poolKernels } from './kernels/pool-kernels';
import { reverseKernels } from './kernels/reverse-kernel';
import { segmentSumKernels } from './kernels/segment-sum-kernel';
import { selectCastKernels } from './kernels/select-cast-kernels';
import { sliceKernels } from './kernels/slice-kernel';
import { softmaxPadKernels } from './kernels/softmax-pad-kernels';
import { transposeKernels } from './kernels/transpose-kernel';
import type { OneDnnAddon } from './native';

/** The tfjs backend name. */
export const ONEDNN_BACKEND_NAME = 'onednn';

/** Kernel names the oneDNN backend runs natively (everything else runs the cpu kernels). */
const allKernels = (cpuKernel: (name: string) => tf.KernelFunc) => [
  ...convKernels(cpuKernel),
  ...poolKernels(cpuKernel),
  ...elementwiseKernels(cpuKernel),
  ...matMulKernels(cpuKernel),
  ...batchNormKernels(cpuKernel),
  ...sliceKernels(cpuKernel),
  ...segmentSumKernels(cpuKernel),
  ...reverseKernels(cpuKernel),
  ...softmaxPadKernels(cpuKernel),
  ...selectCastKernels(cpuKernel),
  ...activationGradKernels(cpuKernel),
  ...transposeKernels(cpuKernel),
];
/** Names of the tfjs kernels that `onednn` runs on oneDNN primitives (every other kernel is tfjs-backend-cpu's). */
export const ONEDNN_KERNELS: readonly string[] = allKernels(() => () => ({}) as tf.TensorInfo).map((k) => k.kernelName);

/**
 * Registers the tfjs backend "onednn": the tfjs cpu backend (data in
 * JS-visible TypedArrays, every cpu kernel) with the kernels of
 * `ONEDNN_KERNELS` replaced by oneDNN primitives. Needs the cpu kernels
 * registered first (`@likeness/backends/cpu`).
 */
export async function registerOneDnnTfjsBackend(addon: OneDnnAddon, priority: number): Promise<void> {
  const { MathBackendCPU } = await import('@tensorflow/tfjs-backend-cpu');
  class MathBackendOneDnn extends MathBackendCPU {
    readonly onednn = addon;
    readonly pool = new BufferPool(poolLimitFromEnv());

    override write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): tf.DataId {
      this.pool.attach(values);
      return super.write(values, shape, dtype);
    }

    override move(dataId: tf.DataId, values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType, refCount: number): void {
      this.pool.attach(values);
      super.move(dataId, values, shape, dtype, refCount);
    }

    override disposeData(dataId: tf.DataId, force = false): boolean {
      const values = this.data.has(dataId) ? this.data.get(dataId).values : undefined;
      const released = super.disposeData(dataId, force);
      if (released && values !== undefined) this.pool.release(values);
      return released;
    }

    // Reads hand the user a copy of pooled storage (as wasm's do): the original is reused once the tensor is disposed.
    override readSync(dataId: tf.DataId): tf.backend_util.BackendValues {
      const values = super.readSync(dataId);
      return this.pool.owns(values) ? (values as Float32Array).slice() : values;
    }

    // Kernels read through bufferSync without keeping the buffer: no copy.
    override bufferSync<R extends tf.Rank, D extends tf.DataType>(t: tf.TensorInfo): tf.TensorBuffer<R, D> {
      const { values } = this.data.get(t.dataId);
      if (t.dtype === 'string' || t.dtype === 'complex64' || !this.pool.owns(values)) return super.bufferSync(t);
      return tf.buffer(t.shape as tf.ShapeMap[R], t.dtype as D, values as tf.DataTypeMap[D]);
    }

    override dispose(): void {
      this.pool.clear();
      super.dispose();
    }
  }
  tf.registerBackend(
    ONEDNN_BACKEND_NAME,
    () => {
      if (envVar('LIKENESS_ONEDNN_KEEP_FREED_MEMORY') !== '0') addon.keepFreedMemory();
      return new MathBackendOneDnn();
    },
    priority,
  );
  const cpuKernels = new Map(tf.getKernelsForBackend('cpu').map((k) => [k.kernelName, k]));
  const register = (k: tf.KernelConfig) => {
    if (tf.getKernel(k.kernelName, ONEDNN_BACKEND_NAME) != null) tf.unregisterKernel(k.kernelName, ONEDNN_BACKEND_NAME);
    tf.registerKernel(k);
  };
  for (const k of cpuKernels.values()) register({ ...k, backendName: ONEDNN_BACKEND_NAME });
  const cpuKernel = (name: string) => {
    const k = cpuKernels.get(name);
    if (!k) throw new Error(`the cpu backend has no ${name} kernel to fall back to`);
    return k.kernelFunc;
  };
  for (const k of allKernels(cpuKernel)) register(k);
}

/** The default cap on spare pooled storage, in MiB (`LIKENESS_ONEDNN_POOL_MB` overrides it). */
export const DEFAULT_POOL_MB = 2048;

const envVar = (name: string) => (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];

function poolLimitFromEnv(): number {
  const raw = envVar('LIKENESS_ONEDNN_POOL_MB');
  const mb = raw === undefined || raw === '' ? DEFAULT_POOL_MB : Number(raw);
  if (!Number.isFinite(mb) || mb < 0) {
    throw new InvalidArgumentError({
      fn: 'onednn backend',
      argument: 'LIKENESS_ONEDNN_POOL_MB',
      message: `must be a number of MiB ≥ 0 (0 turns the buffer pool off), got ${JSON.stringify(raw)}.`,
    });
  }
  return Math.floor(mb * 2 ** 20);
}

function activePool(fn: string): BufferPool {
  const backend = tf.engine().registry[ONEDNN_BACKEND_NAME] as { pool?: BufferPool } | undefined;
  if (!backend?.pool) {
    throw new InvalidArgumentError({ fn, argument: 'backend', message: `the ${ONEDNN_BACKEND_NAME} backend is not started: call useBackend('${ONEDNN_BACKEND_NAME}') first.` });
  }
  return backend.pool;
}

/**
 * Figures of the oneDNN backend's buffer pool: the storage of disposed tensors
 * kept for the next outputs of the same size (so their memory pages are
 * faulted in once, not on every op).
 *
 * @example
 * ```ts
 * await useBackend('onednn');
 * // … a few training steps …
 * const { hits, misses, spareBytes } = bufferPoolStats();
 * ```
 */
export function bufferPoolStats(): BufferPoolStats {
  return activePool('bufferPoolStats').stats();
}

/**
 * Caps the spare storage the oneDNN backend keeps for reuse (default
 * `LIKENESS_ONEDNN_POOL_MB`, else 2048 MiB); 0 turns the pool off and returns
 * its spare buffers to the garbage collector. Live tensors are not affected.
 *
 * @example
 * ```ts
 * setBufferPoolLimit(256 * 2 ** 20); // keep at most 256 MiB of spare buffers
 * ```
 */
export function setBufferPoolLimit(bytes: number): void {
  if (!Number.isFinite(bytes) || bytes < 0) {
    throw new InvalidArgumentError({ fn: 'setBufferPoolLimit', argument: 'bytes', message: `must be a number of bytes ≥ 0, got ${bytes}.` });
  }
  activePool('setBufferPoolLimit').setLimit(Math.floor(bytes));
}
