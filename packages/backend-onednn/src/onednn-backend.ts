import type { LikenessBackendV1 } from '@likeness/backends';
import * as tf from '@tensorflow/tfjs-core';
import { loadOneDnn } from './native';
import { ONEDNN_BACKEND_NAME, registerOneDnnTfjsBackend } from './register-tfjs-backend';

/** The @tensorflow/tfjs-core version this release is built and tested against. */
export const ONEDNN_PLUGIN_CORE_VERSION = '4.22.0';

/** The priority `@likeness/backend-onednn` registers at: above wasm (2) and webgl (2.5), below webgpu (3). */
export const ONEDNN_PRIORITY = 2.75;

const isNode = () => typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';

/**
 * oneDNN (Intel's deep-learning primitives, as PyTorch uses on the CPU) as a
 * likeness plugin for Node: the tfjs cpu backend with convolutions and their
 * gradients on oneDNN through an N-API addon. Supported in Node; when the addon
 * is not built or `libdnnl` is missing, starting it fails with a one-line
 * reason (what to install) and `useBackend()` moves on (to wasm).
 *
 * @example
 * ```ts
 * import '@likeness/backend-onednn'; // registers this descriptor at priority 2.75
 * import '@likeness/backends/wasm';
 * import { useBackend } from '@likeness/backends';
 * const { name, refused } = await useBackend(); // 'onednn', or 'wasm' with refused[0].reason saying why
 * ```
 */
export const onednnBackend: LikenessBackendV1 = {
  specificationVersion: 'v1',
  name: ONEDNN_BACKEND_NAME,
  coreVersion: ONEDNN_PLUGIN_CORE_VERSION,
  // Node always says yes, so that a missing library is reported with its reason rather than "not supported".
  isSupported: isNode,
  async doRegister() {
    const addon = loadOneDnn(); // throws OneDnnUnavailableError with what to install
    // The cpu kernels (with likeness's fixes) are what every op oneDNN does not run falls back to.
    await import('@likeness/backends/cpu');
    if (tf.engine().registryFactory[ONEDNN_BACKEND_NAME] == null) await registerOneDnnTfjsBackend(addon, ONEDNN_PRIORITY);
  },
  explainFailure(message: string) {
    return /oneDNN backend:/.test(message) ? message : undefined;
  },
  supportsTraining: true,
};
