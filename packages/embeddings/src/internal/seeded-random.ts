import * as tf from '@tensorflow/tfjs-core';

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

/** @internal mulberry32: a small seeded PRNG giving numbers in [0, 1), reproducible across runs. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
