/**
 * @likeness/backend-onednn — a likeness backend plugin for Node on oneDNN.
 *
 * Side-effect entry: `import '@likeness/backend-onednn'` registers the
 * descriptor with `@likeness/backends` at priority 2.75 (above wasm 2, below
 * webgpu 3). The addon is loaded only when `useBackend()` tries it.
 *
 * @module @likeness/backend-onednn
 */
import { registerLikenessBackend } from '@likeness/backends';
import { ONEDNN_PRIORITY, onednnBackend } from './onednn-backend';

registerLikenessBackend(onednnBackend, { priority: ONEDNN_PRIORITY });

// The descriptor
export { onednnBackend, ONEDNN_PLUGIN_CORE_VERSION, ONEDNN_PRIORITY } from './onednn-backend';
export { ONEDNN_BACKEND_NAME, ONEDNN_KERNELS, bufferPoolStats, setBufferPoolLimit, DEFAULT_POOL_MB } from './register-tfjs-backend';
export type { BufferPoolStats } from './buffer-pool';

// The addon
export { loadOneDnn, addonPath } from './native';
export type { OneDnnAddon } from './native';
export { OneDnnUnavailableError } from './onednn-unavailable-error';
export type { OneDnnUnavailableReason } from './onednn-unavailable-error';
