/**
 * @likeness/training/node — Node-only helpers (file system). The main entry
 * `@likeness/training` stays browser-safe.
 */
export { fileCheckpointStore } from './node/file-checkpoint-store';
