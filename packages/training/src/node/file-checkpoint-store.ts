import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from '@likeness/backends';
import { writeFileAtomic } from '@likeness/embeddings/node';
import type { CheckpointManifest, CheckpointStore } from '../trainer/checkpoint';
import { CheckpointCorruptError } from '../errors/checkpoint-corrupt-error';

/**
 * Keeps the checkpoint in `dir` as `checkpoint.json` (tf.io
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
  return {
    async save(c) {
      await mkdir(dir, { recursive: true });
      const jsonPath = join(dir, 'checkpoint.json');
      let oldBin: string | undefined;
      try {
        const old = JSON.parse(await readFile(jsonPath, 'utf8')) as CheckpointManifest;
        oldBin = old.weightsManifest?.[0]?.paths?.[0];
      } catch {
        /* no previous checkpoint */
      }
      const bin = `weights-${c.manifest.step}.bin`;
      await writeFileAtomic(join(dir, bin), new Uint8Array(c.weightData));
      const manifest: CheckpointManifest = { ...c.manifest, weightsManifest: c.manifest.weightsManifest.map((g) => ({ ...g, paths: [bin] })) };
      await writeFileAtomic(jsonPath, JSON.stringify(manifest, null, 1));
      if (oldBin && oldBin !== bin) await rm(join(dir, oldBin), { force: true });
    },
    async load() {
      const jsonPath = join(dir, 'checkpoint.json');
      let text: string;
      try {
        text = await readFile(jsonPath, 'utf8');
      } catch {
        return null;
      }
      let manifest: CheckpointManifest;
      try {
        manifest = JSON.parse(text) as CheckpointManifest;
      } catch (e) {
        throw new CheckpointCorruptError({ path: jsonPath, message: `${jsonPath} is not valid JSON; delete the directory to start afresh.`, cause: e });
      }
      const binPath = join(dir, manifest.weightsManifest[0]!.paths[0]!);
      const buf = await readFile(binPath);
      const expected = manifest.weightsManifest.flatMap((g) => g.weights).reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1) * (w.dtype === 'float32' || w.dtype === 'int32' ? 4 : 1), 0);
      if (buf.byteLength !== expected) {
        throw new CheckpointCorruptError({ path: binPath, message: `${binPath} has ${buf.byteLength} bytes, the manifest needs ${expected}; delete the directory to start afresh.` });
      }
      return { manifest, weightData: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer };
    },
  };
}
