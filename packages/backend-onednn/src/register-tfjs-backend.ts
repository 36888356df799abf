import * as tf from '@tensorflow/tfjs-core';
import { batchNormKernels } from './kernels/batch-norm-kernel';
import { convKernels } from './kernels/conv-kernels';
import { elementwiseKernels } from './kernels/elementwise-kernels';
import { matMulKernels } from './kernels/matmul-kernels';
import { poolKernels } from './kernels/pool-kernels';
import { segmentSumKernels } from './kernels/segment-sum-kernel';
import { sliceKernels } from './kernels/slice-kernel';
import { softmaxPadKernels } from './kernels/softmax-pad-kernels';
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
  ...softmaxPadKernels(cpuKernel),
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
  }
  tf.registerBackend(ONEDNN_BACKEND_NAME, () => new MathBackendOneDnn(), priority);
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
