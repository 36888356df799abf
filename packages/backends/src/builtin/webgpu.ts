import * as tf from '@tensorflow/tfjs-core';
import { env } from '../env';
import type { LikenessBackendV1 } from '../spec/backend-v1';

interface NavigatorGpu {
  gpu?: { requestAdapter(o?: unknown): Promise<unknown | null> };
}

/** WebGPU through @tensorflow/tfjs-backend-webgpu; browsers with `navigator.gpu` only. */
export const webgpuBackend: LikenessBackendV1 = {
  specificationVersion: 'v1',
  name: 'webgpu',
  coreVersion: tf.version_core,
  async isSupported() {
    const nav = (globalThis as { navigator?: NavigatorGpu }).navigator;
    if (!nav?.gpu) return false;
    try {
      return (await nav.gpu.requestAdapter({ powerPreference: env.webgpu.powerPreference })) != null;
    } catch {
      return false;
    }
  },
  async doRegister() {
    // The tfjs plugin registers itself on import only where WebGPU exists.
    await import('@tensorflow/tfjs-backend-webgpu');
    if (tf.engine().registryFactory.webgpu == null) {
      throw new Error('@tensorflow/tfjs-backend-webgpu did not register: navigator.gpu is missing here');
    }
  },
};
