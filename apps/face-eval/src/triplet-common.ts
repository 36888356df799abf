/**
 * Shared pieces of the triplet / siamese ORL experiments: ORL images as
 * tensors (optionally downscaled by average pooling), an EmbedFn for the
 * EVAL-FACES protocol, and the EVAL-FACES training recipe for the compact
 * encoder with @likeness/triplet.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createCompactEncoder, type CompactEncoder } from '@likeness/embeddings';
import { flipAndShift, trainTriplet, type MiningStrategy, type TripletProgress } from '@likeness/triplet';
import type { OrlImage } from './orl';
import type { EmbedFn } from './protocol';
import type { OrlSplit } from './splits';

/** ORL images → [N, 112/scale, 92/scale, 1] in [0,1] (scale 1, 2 or 4: exact average pooling). */
export function orlTensor(images: readonly OrlImage[], scale: number): tf.Tensor4D {
  return tf.tidy(() => {
    const flat = new Float32Array(images.length * 112 * 92);
    images.forEach((im, i) => flat.set(im.data, i * 112 * 92));
    const x = tf.tensor4d(flat, [images.length, 112, 92, 1]);
    return scale === 1 ? x : (tf.avgPool(x, scale, scale, 'valid') as tf.Tensor4D);
  });
}

/** The protocol's EmbedFn for an encoder (inference mode, batches of 50). */
export function embedWith(encoder: { encode(x: tf.Tensor4D, o?: { training?: boolean }): tf.Tensor2D }, scale: number): EmbedFn {
  return (images) => {
    const out: Float32Array[] = [];
    for (let s = 0; s < images.length; s += 50) {
      const e = tf.tidy(() => encoder.encode(orlTensor(images.slice(s, s + 50), scale), { training: false }));
      const v = e.dataSync() as Float32Array;
      const d = e.shape[1];
      for (let i = 0; i < e.shape[0]; i++) out.push(v.slice(i * d, (i + 1) * d));
      e.dispose();
    }
    return out;
  };
}

/** Training images and integer labels of a split's 30 training people. */
export function trainingSet(images: readonly OrlImage[], split: OrlSplit, scale: number): { images: tf.Tensor4D; labels: number[] } {
  const train = images.filter((im) => split.train.includes(im.person));
  const ids = [...new Set(train.map((im) => im.person))];
  return { images: orlTensor(train, scale), labels: train.map((im) => ids.indexOf(im.person)) };
}

/** Options of {@link trainCompactTriplet}. */
export interface RecipeOptions {
  strategy: MiningStrategy;
  steps: number;
  scale: number;
  seed: number;
  learningRate?: number;
  margin?: number;
  onProgress?: (p: TripletProgress) => void;
}

/**
 * EVAL-FACES recipe: compact encoder from scratch, flip + ±4 px shifts
 * (±4/scale when downscaled), P=10 × K=5, Adam 1e-3 cosine, margin 0.2 on
 * squared L2.
 */
export async function trainCompactTriplet(data: { images: tf.Tensor4D; labels: number[] }, o: RecipeOptions): Promise<{ encoder: CompactEncoder; ms: number; losses: number[]; warnings: number }> {
  const [, h, w] = data.images.shape;
  const encoder = createCompactEncoder({ inputShape: [h, w, 1], seed: o.seed });
  const maxShift = Math.max(1, Math.round(4 / o.scale));
  const t0 = Date.now();
  const res = await trainTriplet(encoder, data, {
    strategy: o.strategy, steps: o.steps, p: 10, k: 5, optimizer: 'adam', learningRate: o.learningRate ?? 1e-3, schedule: 'cosine',
    margin: o.margin ?? 0.2, metric: 'squared-l2', seed: o.seed,
    augment: (x, step) => flipAndShift(x, { maxShift, seed: o.seed * 100_003 + step }),
    onProgress: o.onProgress, onWarning: () => {},
  });
  return { encoder, ms: Date.now() - t0, losses: res.losses, warnings: res.warnings.length };
}
