import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@likeness/backends';
import { CompactEncoder, compactEncoderConfig, compactWeightShapes, type CompactEncoderConfig } from '../encoder/compact-encoder';
import { WeightsFormatError } from '../errors/weights-format-error';
import { expectedWeightBytes, joinWeightData, weightDataBytes } from './weight-bytes';

/** The `modelTopology.format` written in a compact encoder's model.json. */
export const COMPACT_ENCODER_FORMAT = 'likeness-compact-encoder';
/** The current format version; older files are read, newer ones refused. */
export const COMPACT_ENCODER_FORMAT_VERSION = 1;

function isIOHandler(h: unknown, method: 'save' | 'load'): h is tf.io.IOHandler {
  return h != null && typeof h === 'object' && typeof (h as Record<string, unknown>)[method] === 'function';
}

/**
 * Saves a compact encoder's architecture and weights through any `tf.io`
 * handler: the Node file handler of `@likeness/embeddings/node` (atomic),
 * `tf.io.browserDownloads()`, `tf.io.withSaveHandler(fn)`, … The model.json
 * it produces is a standard tfjs weights manifest (`tf.io.encodeWeights`).
 *
 * @example
 * ```ts
 * await saveCompactEncoder(enc, fileSystemHandler('./models/orl')); // enc: CompactEncoder [N,112,92,1] → [N,128]
 * ```
 */
export async function saveCompactEncoder(encoder: CompactEncoder, handler: tf.io.IOHandler): Promise<tf.io.SaveResult> {
  const fn = 'saveCompactEncoder';
  if (!(encoder instanceof CompactEncoder) || encoder.isDisposed) {
    throw new InvalidArgumentError({ fn, argument: 'encoder', message: 'expected a live CompactEncoder (from createCompactEncoder or loadCompactEncoder).' });
  }
  if (!isIOHandler(handler, 'save')) {
    throw new InvalidArgumentError({ fn, argument: 'handler', message: 'expected a tf.io.IOHandler with a save() method, e.g. fileSystemHandler(dir) from @likeness/embeddings/node.' });
  }
  const named: tf.NamedTensorMap = {};
  for (const { name, tensor } of encoder.namedWeights()) named[name] = tensor;
  const { data, specs } = await tf.io.encodeWeights(named);
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: { format: COMPACT_ENCODER_FORMAT, formatVersion: COMPACT_ENCODER_FORMAT_VERSION, config: encoder.config as unknown as tf.io.ModelJSON['modelTopology'] },
    format: COMPACT_ENCODER_FORMAT,
    generatedBy: '@likeness/embeddings',
    convertedBy: null,
    weightSpecs: specs,
    weightData: data,
  };
  return handler.save!(artifacts);
}

/**
 * Loads a compact encoder saved by {@link saveCompactEncoder} from any
 * `tf.io` handler (`tf.io.http(url)` in a browser,
 * `fileSystemHandler(dir)` in Node, `tf.io.fromMemory(artifacts)`).
 * Corrupted, truncated or foreign files raise {@link WeightsFormatError}.
 *
 * @example
 * ```ts
 * const enc = await loadCompactEncoder(tf.io.http('/models/orl/model.json'));
 * const e = enc.encode(images); // [N,112,92,1] → [N,128]
 * ```
 */
export async function loadCompactEncoder(handler: tf.io.IOHandler, options: { source?: string } = {}): Promise<CompactEncoder> {
  const fn = 'loadCompactEncoder';
  if (!isIOHandler(handler, 'load')) {
    throw new InvalidArgumentError({ fn, argument: 'handler', message: 'expected a tf.io.IOHandler with a load() method, e.g. tf.io.http(url) or fileSystemHandler(dir).' });
  }
  const source = options.source ?? 'weights';
  let artifacts: tf.io.ModelArtifacts;
  try {
    artifacts = await handler.load!();
  } catch (e) {
    if (WeightsFormatError.isInstance(e)) throw e;
    throw new WeightsFormatError({ source, message: `could not read the model: ${(e as Error).message}`, cause: e });
  }
  const topo = artifacts.modelTopology as { format?: unknown; formatVersion?: unknown; config?: unknown } | undefined;
  if (!topo || typeof topo !== 'object' || topo.format !== COMPACT_ENCODER_FORMAT) {
    throw new WeightsFormatError({ source, message: `not a compact encoder (modelTopology.format is ${JSON.stringify(topo?.format)}, expected "${COMPACT_ENCODER_FORMAT}"). Load it with the loader of the model that wrote it.` });
  }
  if (typeof topo.formatVersion !== 'number' || topo.formatVersion > COMPACT_ENCODER_FORMAT_VERSION || topo.formatVersion < 1) {
    throw new WeightsFormatError({ source, message: `format version ${String(topo.formatVersion)} is not supported (this @likeness/embeddings reads 1…${COMPACT_ENCODER_FORMAT_VERSION}); upgrade @likeness/embeddings.` });
  }
  let config: CompactEncoderConfig;
  try {
    config = compactEncoderConfig(topo.config as CompactEncoderConfig, fn);
  } catch (e) {
    throw new WeightsFormatError({ source, message: `the stored architecture is invalid: ${(e as Error).message}`, cause: e });
  }
  const named = decodeChecked(artifacts, source);
  try {
    for (const { name, shape } of compactWeightShapes(config)) {
      const t = named[name];
      if (!t) throw new WeightsFormatError({ source, message: `weight "${name}" is missing; the file is incomplete or from another architecture.` });
      if (t.shape.join(',') !== shape.join(',')) {
        throw new WeightsFormatError({ source, message: `weight "${name}" has shape [${t.shape}], the architecture needs [${shape}].` });
      }
    }
    return new CompactEncoder(config, (name) => tf.clone(named[name]!));
  } finally {
    tf.dispose(Object.values(named));
  }
}

/** @internal Validates byte length and decodes, with typed errors. */
export function decodeChecked(artifacts: tf.io.ModelArtifacts, source: string): tf.NamedTensorMap {
  const specs = artifacts.weightSpecs;
  const data = artifacts.weightData;
  if (!Array.isArray(specs) || data == null) {
    throw new WeightsFormatError({ source, message: 'the weights manifest or the weight data is missing. Save again, or restore the files from a backup.' });
  }
  let expected: number;
  try {
    expected = expectedWeightBytes(specs);
  } catch (e) {
    throw new WeightsFormatError({ source, message: `the weights manifest is corrupted: ${(e as Error).message}`, cause: e });
  }
  const got = weightDataBytes(data);
  if (got !== expected) {
    throw new WeightsFormatError({ source, message: `the weight data has ${got} bytes, the manifest describes ${expected}: the file is truncated or corrupted. Restore it from a backup or re-download the model.` });
  }
  let named: tf.NamedTensorMap;
  try {
    named = tf.io.decodeWeights(joinWeightData(data as ArrayBuffer | ArrayBuffer[]), specs);
  } catch (e) {
    throw new WeightsFormatError({ source, message: `the weights could not be decoded: ${(e as Error).message}`, cause: e });
  }
  for (const [name, t] of Object.entries(named)) {
    if (t.dtype === 'float32') {
      const v = t.dataSync();
      for (let i = 0; i < v.length; i++) {
        if (!Number.isFinite(v[i])) {
          tf.dispose(Object.values(named));
          throw new WeightsFormatError({ source, message: `weight "${name}" contains ${v[i]}; the file is corrupted. Restore it from a backup.` });
        }
      }
    }
  }
  return named;
}
