import * as tf from '@tensorflow/tfjs-core';
import { WeightsMismatchError } from '../errors/weights-mismatch-error';

/** Takes weight `name` from `map`, checking its shape; throws WeightsMismatchError naming it. */
export function takeWeight(map: tf.NamedTensorMap, name: string, shape: readonly number[], what: string): tf.Tensor {
  const t = map[name];
  if (!t) {
    const near = Object.keys(map).slice(0, 6).join(', ');
    throw new WeightsMismatchError({
      weight: name,
      message: `${what}: the weights have no tensor "${name}" (they have ${Object.keys(map).length} tensors, e.g. ${near}). Check that the manifest is for this architecture and layout.`,
    });
  }
  if (t.shape.length !== shape.length || t.shape.some((d, i) => shape[i] !== -1 && d !== shape[i])) {
    throw new WeightsMismatchError({
      weight: name,
      message: `${what}: weight "${name}" has shape [${t.shape.join(',')}] but the architecture needs [${shape.map((d) => (d === -1 ? '?' : d)).join(',')}]. Check depth (VGG-16 vs VGG-19) and layout ('keras' vs 'torchvision').`,
    });
  }
  return t;
}

/** Decodes tf.io model artifacts into named tensors (dequantises uint8/uint16/float16 weights). */
export function decodeArtifacts(artifacts: tf.io.ModelArtifacts, what: string): tf.NamedTensorMap {
  if (!artifacts.weightSpecs || !artifacts.weightData) {
    throw new WeightsMismatchError({
      weight: '(manifest)',
      message: `${what}: the model artifacts have no weightSpecs/weightData. Load them with a tf.io handler that reads the weight shards.`,
    });
  }
  const data = artifacts.weightData;
  return tf.io.decodeWeights(data, artifacts.weightSpecs);
}
