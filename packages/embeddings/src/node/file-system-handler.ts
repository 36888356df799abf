import type * as tf from '@tensorflow/tfjs-core';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { WeightsFormatError } from '../errors/weights-format-error';
import { joinWeightData } from '../weights/weight-bytes';
import { writeFileAtomic } from './write-file-atomic';

/**
 * A `tf.io.IOHandler` on the file system, in the standard tfjs layout (a
 * model.json with a `weightsManifest`, plus .bin shards) so that browsers
 * can load the same files with `tf.io.http(url)`.
 *
 * `path` is a model.json file or a directory (then `model.json` in it). A
 * bare weights manifest (a JSON array of `{paths, weights}` groups, like
 * face-api's `*-weights_manifest.json`) loads too.
 *
 * Saving is crash-safe: the weights go to a new content-named
 * `weights-<hash>.bin`, then model.json is replaced atomically, then stale
 * shards are removed; a crash at any point leaves the old or the new model.
 *
 * @example
 * ```ts
 * await saveCompactEncoder(enc, fileSystemHandler('./models/orl'));
 * const again = await loadCompactEncoder(fileSystemHandler('./models/orl')); // [N,112,92,1] → [N,128]
 * ```
 */
export function fileSystemHandler(path: string): tf.io.IOHandler {
  const target = path.endsWith('.json') ? resolve(path) : join(resolve(path), 'model.json');
  const dir = dirname(target);
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      await mkdir(dir, { recursive: true });
      const bytes = new Uint8Array(artifacts.weightData ? joinWeightData(artifacts.weightData as ArrayBuffer | ArrayBuffer[]) : new ArrayBuffer(0));
      const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
      const stem = basename(target, '.json');
      const bin = `${stem}.weights-${hash}.bin`;
      await writeFileAtomic(join(dir, bin), bytes);
      const json = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [bin], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      const text = JSON.stringify(json);
      await writeFileAtomic(target, text);
      // remove shards of earlier saves of this model (only after model.json points at the new one)
      for (const f of await readdir(dir)) {
        if (f.startsWith(`${stem}.weights-`) && f.endsWith('.bin') && f !== bin) await rm(join(dir, f), { force: true });
      }
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: JSON.stringify(artifacts.modelTopology ?? null).length,
          weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
          weightDataBytes: bytes.byteLength,
        },
      };
    },

    async load(): Promise<tf.io.ModelArtifacts> {
      let text: string;
      try {
        text = await readFile(target, 'utf8');
      } catch (e) {
        throw new WeightsFormatError({ source: target, message: `cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); check the path.`, cause: e });
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (e) {
        throw new WeightsFormatError({ source: target, message: 'is not valid JSON (truncated or corrupted); restore it from a backup or re-download the model.', cause: e });
      }
      const j = json as { weightsManifest?: unknown; modelTopology?: unknown; format?: string; generatedBy?: string; convertedBy?: string; userDefinedMetadata?: { [key: string]: {} } };
      const manifest = Array.isArray(json) ? json : j.weightsManifest;
      if (!Array.isArray(manifest) || !manifest.every((g) => g && Array.isArray(g.paths) && Array.isArray(g.weights))) {
        throw new WeightsFormatError({ source: target, message: 'has no valid weightsManifest ([{paths, weights}]); is it a tfjs model.json or weights manifest?' });
      }
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: ArrayBuffer[] = [];
      for (const group of manifest as tf.io.WeightsManifestConfig) {
        specs.push(...group.weights);
        for (const p of group.paths) {
          const file = resolve(dir, p);
          try {
            await stat(file);
            const b = await readFile(file);
            buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
          } catch (e) {
            throw new WeightsFormatError({ source: file, message: `weight shard listed in ${basename(target)} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); restore the model's files together.`, cause: e });
          }
        }
      }
      return {
        modelTopology: Array.isArray(json) ? undefined : (j.modelTopology as tf.io.ModelArtifacts['modelTopology']),
        format: Array.isArray(json) ? undefined : j.format,
        generatedBy: Array.isArray(json) ? undefined : j.generatedBy,
        convertedBy: Array.isArray(json) ? undefined : j.convertedBy,
        userDefinedMetadata: Array.isArray(json) ? undefined : j.userDefinedMetadata,
        weightSpecs: specs,
        weightData: joinWeightData(buffers),
      };
    },
  };
}
