import * as tf from '@tensorflow/tfjs-core';
import type { Encoder } from '../encoder';

/**
 * A linear encoder for tests: flatten → W·x + b → optional L2 normalisation,
 * weights drawn from `seed`. Trainable (`[W, b]`); `dispose()` frees them.
 *
 * @example
 * ```ts
 * const enc = tinyEncoder([8, 8, 1], 4, { seed: 1 }); // [N,8,8,1] → [N,4], unit rows
 * ```
 */
export function tinyEncoder(inputShape: [number, number, number], embeddingSize: number, opts: { seed?: number; normalized?: boolean } = {}): Encoder {
  const inSize = inputShape[0] * inputShape[1] * inputShape[2];
  const w = tf.variable(tf.randomNormal([inSize, embeddingSize], 0, 1 / Math.sqrt(inSize), 'float32', opts.seed ?? 1));
  const b = tf.variable(tf.zeros([embeddingSize]));
  const normalized = opts.normalized ?? true;
  return {
    inputShape,
    embeddingSize,
    normalized,
    encode(images) {
      return tf.tidy(() => {
        const y = tf.add(tf.matMul(tf.reshape(images, [images.shape[0], inSize]), w), b);
        return (normalized ? tf.div(y, tf.sqrt(tf.add(tf.sum(tf.square(y), 1, true), 1e-12))) : y) as tf.Tensor2D;
      });
    },
    trainableVariables: () => [w, b],
    dispose: () => tf.dispose([w, b]),
  };
}

/**
 * Synthetic identities for tests: `ids` random prototypes, `perId` noisy
 * copies of each (Gaussian noise `noise`), labels 0…ids−1. The caller owns
 * `images`.
 *
 * @example
 * ```ts
 * const { images, labels } = syntheticFaces(8, 4, [8, 8, 1]); // images [32,8,8,1]
 * ```
 */
export function syntheticFaces(ids: number, perId: number, shape: [number, number, number], noise = 0.3, seed = 3): {
  /** [ids·perId, ...shape] float32, grouped by identity (prototype in [0, 1] + noise, not clipped); the caller disposes it. */
  images: tf.Tensor4D;
  /** The identity of each image: `perId` zeros, then `perId` ones, … up to ids − 1. */
  labels: number[];
} {
  return tf.tidy(() => {
    const protos = tf.randomUniform([ids, ...shape], 0, 1, 'float32', seed);
    const idx = Array.from({ length: ids * perId }, (_, i) => Math.floor(i / perId));
    const x = tf.add(tf.gather(protos, idx), tf.randomNormal([ids * perId, ...shape], 0, noise, 'float32', seed + 1));
    return { images: tf.keep(x as tf.Tensor4D), labels: idx };
  });
}
