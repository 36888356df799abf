import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@likeness/backends';
import { WeightsMismatchError } from '../errors/weights-mismatch-error';

/**
 * A `tf.io.IOHandler` that loads a `model.json` and its weight shards from
 * disk (tfjs-core alone has no `file://` handler). Use it with `loadVgg`.
 *
 * @example
 * ```ts
 * const vgg = await loadVgg(fileHandler('/models/vgg19/model.json'), { depth: 19 });
 * ```
 */
export function fileHandler(modelJsonPath: string): tf.io.IOHandler {
  if (typeof modelJsonPath !== 'string' || modelJsonPath.length === 0) {
    throw new InvalidArgumentError({ fn: 'fileHandler', argument: 'modelJsonPath', message: 'expected the path of a model.json file.' });
  }
  return {
    async load() {
      let json: { modelTopology?: unknown; weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
      try {
        json = JSON.parse(await readFile(modelJsonPath, 'utf8'));
      } catch (e) {
        throw new WeightsMismatchError({ weight: modelJsonPath, message: `fileHandler: cannot read ${modelJsonPath} as JSON (${(e as Error).message}).` });
      }
      if (!Array.isArray(json.weightsManifest)) {
        throw new WeightsMismatchError({ weight: modelJsonPath, message: `fileHandler: ${modelJsonPath} has no weightsManifest; it is not a tfjs model.json.` });
      }
      const specs: tf.io.WeightsManifestEntry[] = [];
      const parts: Buffer[] = [];
      for (const g of json.weightsManifest) {
        specs.push(...g.weights);
        for (const p of g.paths) parts.push(await readFile(join(dirname(modelJsonPath), p)));
      }
      const all = Buffer.concat(parts);
      return {
        modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
        weightSpecs: specs,
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer,
      };
    },
  };
}
