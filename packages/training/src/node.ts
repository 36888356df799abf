/**
 * @likeness/training/node — Node-only helpers (file system). The main entry
 * `@likeness/training` stays browser-safe.
 *
 * @module @likeness/training/node
 */
export { fileCheckpointStore } from './node/file-checkpoint-store';
