import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom } from '../random/seeded-random';

/** @internal tfjs's normal samplers treat seed 0 as "no seed" (Math.random()): map it to a fixed non-zero seed. */
export function tfSeed(seed: number | undefined): number | undefined {
  return seed === 0 ? 0x9e3779b9 : seed;
}

/** @internal He-normal (truncated) initialiser with a derived seed. */
export function heNormal(shape: number[], fanIn: number, seed: number | undefined): tf.Tensor {
  return tf.truncatedNormal(shape, 0, Math.sqrt(2 / fanIn) / 0.87962566103423978, 'float32', tfSeed(seed));
}

/** @internal Glorot-uniform initialiser with a derived seed. */
export function glorotUniform(shape: number[], fanIn: number, fanOut: number, seed: number | undefined): tf.Tensor {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return tf.randomUniform(shape, -limit, limit, 'float32', seed);
}

/** @internal mulberry32 as a function: numbers in [0, 1), the same sequence as `new SeededRandom(seed)`. */
export function mulberry32(seed: number): () => number {
  const rng = new SeededRandom(seed);
  return () => rng.next();
}
