import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@likeness/backends';
import { CheckpointCorruptError } from '../errors/checkpoint-corrupt-error';

/** JSON header of a checkpoint; `weightsManifest` is the standard tf.io manifest. */
export interface CheckpointManifest {
  format: 'likeness-trainer-checkpoint';
  formatVersion: 1;
  /** Steps completed. */
  step: number;
  /** Trainer state (sampler, random generator, early stopping, history). */
  state: Record<string, unknown>;
  weightsManifest: tf.io.WeightsManifestConfig;
}

/** A checkpoint as stored: the manifest and one binary weight buffer. */
export interface SerializedCheckpoint {
  manifest: CheckpointManifest;
  weightData: ArrayBuffer;
}

/**
 * Where a trainer keeps its checkpoint. `save` must replace the previous
 * checkpoint atomically (a crash leaves the old one or the new one, never a
 * mix); `load` returns `null` when there is none.
 */
export interface CheckpointStore {
  save(checkpoint: SerializedCheckpoint): Promise<void>;
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
export function memoryCheckpointStore(): CheckpointStore & { saves: number } {
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

/**
 * Node only: keeps the checkpoint in `dir` as `checkpoint.json` (tf.io
 * manifest + trainer state) and `weights-<step>.bin`. Each file is written to
 * a temporary name and renamed into place, the binary first and the JSON last,
 * so an interrupted save leaves the previous checkpoint intact; the old
 * binary is removed afterwards.
 *
 * @example
 * ```ts
 * const store = fileCheckpointStore('./runs/orl-split0');
 * await trainTriplet(encoder, data, { checkpoint: { store, every: 50 } });
 * ```
 */
export function fileCheckpointStore(dir: string): CheckpointStore {
  if (typeof dir !== 'string' || dir.length === 0) {
    throw new InvalidArgumentError({ fn: 'fileCheckpointStore', argument: 'dir', message: 'expected a directory path.' });
  }
  const fsp = () => import('node:fs/promises');
  const pathMod = () => import('node:path');
  async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
    const fs = await fsp();
    const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
    const h = await fs.open(tmp, 'w');
    try {
      await h.writeFile(data);
      await h.sync();
    } finally {
      await h.close();
    }
    await fs.rename(tmp, file);
  }
  return {
    async save(c) {
      const fs = await fsp();
      const path = await pathMod();
      await fs.mkdir(dir, { recursive: true });
      const jsonPath = path.join(dir, 'checkpoint.json');
      let oldBin: string | undefined;
      try {
        const old = JSON.parse(await fs.readFile(jsonPath, 'utf8')) as CheckpointManifest;
        oldBin = old.weightsManifest?.[0]?.paths?.[0];
      } catch {
        /* no previous checkpoint */
      }
      const bin = `weights-${c.manifest.step}.bin`;
      await writeAtomic(path.join(dir, bin), new Uint8Array(c.weightData));
      const manifest: CheckpointManifest = { ...c.manifest, weightsManifest: c.manifest.weightsManifest.map((g) => ({ ...g, paths: [bin] })) };
      await writeAtomic(jsonPath, JSON.stringify(manifest, null, 1));
      if (oldBin && oldBin !== bin) await fs.rm(path.join(dir, oldBin), { force: true });
    },
    async load() {
      const fs = await fsp();
      const path = await pathMod();
      const jsonPath = path.join(dir, 'checkpoint.json');
      let text: string;
      try {
        text = await fs.readFile(jsonPath, 'utf8');
      } catch {
        return null;
      }
      let manifest: CheckpointManifest;
      try {
        manifest = JSON.parse(text) as CheckpointManifest;
      } catch (e) {
        throw new CheckpointCorruptError({ path: jsonPath, message: `${jsonPath} is not valid JSON; delete the directory to start afresh.`, cause: e });
      }
      const binPath = path.join(dir, manifest.weightsManifest[0]!.paths[0]!);
      const buf = await fs.readFile(binPath);
      const expected = manifest.weightsManifest.flatMap((g) => g.weights).reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1) * (w.dtype === 'float32' || w.dtype === 'int32' ? 4 : 1), 0);
      if (buf.byteLength !== expected) {
        throw new CheckpointCorruptError({ path: binPath, message: `${binPath} has ${buf.byteLength} bytes, the manifest needs ${expected}; delete the directory to start afresh.` });
      }
      return { manifest, weightData: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer };
    },
  };
}
