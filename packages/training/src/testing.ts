/**
 * @likeness/training/testing — fixtures for tests of fine-tuners: smooth
 * synthetic "faces" sized for the face ResNet, and helpers that check a
 * fine-tune left the net and head untouched. Needs vitest (an optional peer).
 * Small trainable encoders are in `@likeness/embeddings/testing`.
 *
 * @module @likeness/training/testing
 */
export { pseudoFaces } from './testing/pseudo-faces';
export { maxDiff, snapshotNetAndHead, startedHead } from './testing/fine-tune-helpers';
