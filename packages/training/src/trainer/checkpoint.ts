import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@likeness/backends';
import { CheckpointCorruptError } from '../errors/checkpoint-corrupt-error';

/** JSON header of a checkpoint; `weightsManifest` is the standard tf.io manifest. */
export interface CheckpointManifest {
  /** Identifies a likeness trainer checkpoint. */
  format: 'likeness-trainer-checkpoint';
  /** Version of the format (1). */
  formatVersion: 1;
  /** Steps completed. */
  step: number;
  /** Trainer state (sampler, random generator, early stopping, history). */
  state: Record<string, unknown>;
  /** The tf.io manifest of the tensors in `weightData` (names, shapes, dtypes, in order). */
  weightsManifest: tf.io.WeightsManifestConfig;
}

/** A checkpoint as stored: the manifest and one binary weight buffer. */
export interface SerializedCheckpoint {
  /** The JSON header. */
  manifest: CheckpointManifest;
  /** All tensors of the checkpoint, concatenated as `manifest.weightsManifest` lists them. */
  weightData: ArrayBuffer;
}

/**
 * Where a trainer keeps its checkpoint. `save` must replace the previous
 * checkpoint atomically (a crash leaves the old one or the new one, never a
 * mix); `load` returns `null` when there is none.
 */
export interface CheckpointStore {
  /** Replaces the stored checkpoint atomically. */
  save(checkpoint: SerializedCheckpoint): Promise<void>;
  /** The stored checkpoint, or `null` when there is none. */
  load(): Promise<SerializedCheckpoint | null>;
}

/**
 * Encodes named tensors (in order) plus JSON state into a checkpoint.
 *
 * @example
 * ```ts
 * const ckpt = await encodeCheckpoint(12, { note: 'x' }, [{ name: 'encoder/0', tensor: w }]);
 * ```
 */
export async function encodeCheckpoint(step: number, state: Record<string, unknown>, tensors: { name: string; tensor: tf.Tensor }[]): Promise<SerializedCheckpoint> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  return {
    manifest: { format: 'likeness-trainer-checkpoint', formatVersion: 1, step, state, weightsManifest: [{ paths: ['weights.bin'], weights: specs }] },
    weightData: data,
  };
}

/**
 * Decodes a checkpoint's weights. The caller owns (and disposes) the tensors.
 *
 * @example
 * ```ts
 * const map = decodeCheckpointWeights(ckpt); // { 'encoder/0': Tensor, … }
 * ```
 */
export function decodeCheckpointWeights(checkpoint: SerializedCheckpoint): tf.NamedTensorMap {
  const m = checkpoint.manifest;
  if (m == null || m.format !== 'likeness-trainer-checkpoint' || m.formatVersion !== 1) {
    throw new InvalidArgumentError({ fn: 'decodeCheckpointWeights', argument: 'checkpoint', message: 'not a likeness trainer checkpoint (format/formatVersion missing or unknown).' });
  }
  const specs = m.weightsManifest.flatMap((g) => g.weights);
  return tf.io.decodeWeights(checkpoint.weightData, specs);
}

/**
 * Keeps the checkpoint in memory (tests, browsers without storage).
 *
 * @example
 * ```ts
 * const store = memoryCheckpointStore();
 * ```
 */
export function memoryCheckpointStore(): CheckpointStore & {
  /** How many times `save` was called. */
  saves: number;
} {
  let current: SerializedCheckpoint | null = null;
  return {
    saves: 0,
    async save(c) {
      current = { manifest: JSON.parse(JSON.stringify(c.manifest)) as CheckpointManifest, weightData: c.weightData.slice(0) };
      this.saves++;
    },
    async load() {
      return current;
    },
  };
}
