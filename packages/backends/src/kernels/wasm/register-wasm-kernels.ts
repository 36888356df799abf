import type { KernelConfig } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Kernels tfjs-backend-wasm 4.22 lacks (or gets wrong) that the likeness
 * packages need for training. Each is built from the wasm backend's own fast
 * kernels; none falls back to the cpu backend.
 */
export const WASM_GAP_KERNELS: KernelConfig[] = [];

/** Registers (or replaces) the gap kernels on the wasm backend. Idempotent. */
export function registerWasmGapKernels(): void {
  for (const config of WASM_GAP_KERNELS) {
    if (tf.getKernel(config.kernelName, 'wasm') != null) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
}
