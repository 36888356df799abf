import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { runInNewContext } from 'node:vm';
import type * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@likeness/backends';
import { createNsfwjsExtractor, type NsfwjsModel } from '../backbones/nsfwjs';
import type { FeatureExtractor } from '../feature-extractor';
import { WeightsMismatchError } from '../errors/weights-mismatch-error';

/** nsfwjs ships each file as a UMD bundle whose only export is data; evaluate it in an empty context. */
function evalDataBundle(source: string, file: string): unknown {
  const mod: { exports: unknown } = { exports: {} };
  try {
    runInNewContext(source, { module: mod, exports: mod.exports }, { timeout: 10_000, filename: file });
  } catch (e) {
    throw new WeightsMismatchError({ weight: file, message: `loadNsfwjsArtifacts: could not read ${file} (${(e as Error).message}). Reinstall nsfwjs@4.4.0.`, });
  }
  return mod.exports;
}

function nsfwjsRoot(): string {
  // CJS build: __filename; ESM build: import.meta.url.
  const req = createRequire(typeof __filename === 'string' ? __filename : import.meta.url);
  let entry: string;
  try {
    entry = req.resolve('nsfwjs');
  } catch (e) {
    throw new WeightsMismatchError({ weight: 'nsfwjs', message: `loadNsfwjsArtifacts: the nsfwjs package is not installed (${(e as Error).message}). It is a dependency of @likeness/nst; run your package manager's install.` });
  }
  return join(dirname(entry), '..', '..');
}

/**
 * Reads nsfwjs's model topology and weight shards from node_modules (no
 * network, and none of nsfwjs's code: its files are evaluated as data in an
 * empty `vm` context) and returns them as tf.io.ModelArtifacts.
 *
 * @example
 * ```ts
 * const artifacts = await loadNsfwjsArtifacts('mobilenet_v2'); // ~3.5 MB of uint8 weights
 * const ex = createNsfwjsExtractor(artifacts);
 * ```
 */
export async function loadNsfwjsArtifacts(model: NsfwjsModel = 'mobilenet_v2'): Promise<tf.io.ModelArtifacts> {
  if (model !== 'mobilenet_v2' && model !== 'inception_v3') {
    throw new InvalidArgumentError({ fn: 'loadNsfwjsArtifacts', argument: 'model', message: `expected 'mobilenet_v2' or 'inception_v3', got ${JSON.stringify(model)}.` });
  }
  const dir = join(nsfwjsRoot(), 'dist', 'models', model);
  const modelFile = join(dir, 'model.min.js');
  const json = evalDataBundle(await readFile(modelFile, 'utf8'), modelFile) as {
    modelTopology: unknown;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Buffer[] = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      const file = join(dir, `${p}.min.js`);
      const b64 = evalDataBundle(await readFile(file, 'utf8'), file);
      if (typeof b64 !== 'string') throw new WeightsMismatchError({ weight: file, message: `loadNsfwjsArtifacts: ${file} does not hold a base64 weight shard.` });
      buffers.push(Buffer.from(b64, 'base64'));
    }
  }
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  return { modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'], weightSpecs: specs, weightData };
}

/**
 * The offline default backbone: nsfwjs's MobileNetV2 (ImageNet weights up
 * to `block_10`), read from the installed npm package.
 *
 * @example
 * ```ts
 * const extractor = await loadDefaultExtractor();
 * const t = createStyleTransfer({ extractor, content, styles: [style] });
 * ```
 */
export async function loadDefaultExtractor(options: { model?: NsfwjsModel } = {}): Promise<FeatureExtractor> {
  const model = options.model ?? 'mobilenet_v2';
  return createNsfwjsExtractor(await loadNsfwjsArtifacts(model), { model });
}
