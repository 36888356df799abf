/**
 * Shared pieces of the triplet / siamese ORL experiments: ORL images as
 * tensors (optionally downscaled by average pooling, optionally
 * preprocessed), an EmbedFn for the EVAL-FACES protocol, and the
 * EVAL-FACES training recipe for the compact encoder with @likeness/triplet.
 */
import * as tf from '@tensorflow/tfjs-core';
import { augmentFaces, createCompactEncoder, type CompactEncoder } from '@likeness/embeddings';
import { flipAndShift, tripletObjective, type MiningStrategy, type TripletMetric } from '@likeness/triplet';
import { train, type TripletProgress, type TrainingWarning } from '@likeness/training';
import type { OrlImage } from './orl';
import type { EmbedFn } from './protocol';
import type { OrlSplit } from './splits';

/**
 * Per-image preprocessing, applied identically to training images, the
 * encoder's evaluation input and the raw-pixel baseline:
 * `'none'` (grey levels in [0,1]), `'standardize'` (each image minus its
 * mean, divided by its standard deviation, after downscaling) or
 * `'equalize'` (histogram equalisation of the 112×92 image, then downscaling).
 */
export type Preprocess = 'none' | 'standardize' | 'equalize';
export const PREPROCESSES: readonly Preprocess[] = ['none', 'standardize', 'equalize'];

/** Histogram equalisation of one [0,1] image (256 bins), output in [0,1]. */
export function equalizeHistogram(data: Float32Array): Float32Array {
  const hist = new Float64Array(256);
  const bins = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const b = Math.min(255, Math.max(0, Math.round(data[i]! * 255)));
    bins[i] = b;
    hist[b]!++;
  }
  const cdf = new Float64Array(256);
  let acc = 0;
  for (let b = 0; b < 256; b++) cdf[b] = acc += hist[b]!;
  let cmin = 0;
  for (let b = 0; b < 256; b++) if (hist[b]! > 0) { cmin = cdf[b]!; break; }
  const n = data.length;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = n === cmin ? 0 : (cdf[bins[i]!]! - cmin) / (n - cmin);
  return out;
}

/** ORL images → [N, 112/scale, 92/scale, 1] (scale 1, 2 or 4: exact average pooling), preprocessed. */
export function orlTensor(images: readonly OrlImage[], scale: number, preprocess: Preprocess = 'none'): tf.Tensor4D {
  return tf.tidy(() => {
    const flat = new Float32Array(images.length * 112 * 92);
    images.forEach((im, i) => flat.set(preprocess === 'equalize' ? equalizeHistogram(im.data) : im.data, i * 112 * 92));
    const x = tf.tensor4d(flat, [images.length, 112, 92, 1]);
    const small = scale === 1 ? x : (tf.avgPool(x, scale, scale, 'valid') as tf.Tensor4D);
    if (preprocess !== 'standardize') return small;
    const { mean, variance } = tf.moments(small, [1, 2, 3], true);
    return tf.div(tf.sub(small, mean), tf.sqrt(tf.add(variance, 1e-6))) as tf.Tensor4D;
  });
}

/** Options of {@link embedWith}. */
export interface EmbedOptions {
  /** @defaultValue `'none'` */
  preprocess?: Preprocess;
  /** Average the embedding of each image with that of its mirror image (then re-normalise). @defaultValue `false` */
  flipAverage?: boolean;
}

/** The protocol's EmbedFn for an encoder (inference mode, batches of 50). */
export function embedWith(encoder: { encode(x: tf.Tensor4D, o?: { training?: boolean }): tf.Tensor2D }, scale: number, options: EmbedOptions = {}): EmbedFn {
  return (images) => {
    const out: Float32Array[] = [];
    for (let s = 0; s < images.length; s += 50) {
      const e = tf.tidy(() => {
        const x = orlTensor(images.slice(s, s + 50), scale, options.preprocess);
        const y = encoder.encode(x, { training: false });
        if (!options.flipAverage) return y;
        const m = tf.add(y, encoder.encode(tf.reverse(x, 2), { training: false }));
        return tf.div(m, tf.sqrt(tf.maximum(tf.sum(tf.square(m), 1, true), 1e-12))) as tf.Tensor2D;
      });
      const v = e.dataSync() as Float32Array;
      const d = e.shape[1];
      for (let i = 0; i < e.shape[0]; i++) out.push(v.slice(i * d, (i + 1) * d));
      e.dispose();
    }
    return out;
  };
}

/** Training images and integer labels of a split's 30 training people. */
export function trainingSet(images: readonly OrlImage[], split: OrlSplit, scale: number, preprocess: Preprocess = 'none'): { images: tf.Tensor4D; labels: number[] } {
  const train = images.filter((im) => split.train.includes(im.person));
  const ids = [...new Set(train.map((im) => im.person))];
  return { images: orlTensor(train, scale, preprocess), labels: train.map((im) => ids.indexOf(im.person)) };
}

/** Options of {@link trainCompactTriplet}. */
export interface RecipeOptions {
  /** Triplet mining, or `'none'`: the classification term alone. */
  strategy: MiningStrategy | 'none';
  steps: number;
  scale: number;
  seed: number;
  /** @defaultValue `1e-3` */
  learningRate?: number;
  /** @defaultValue `0.2` */
  margin?: number;
  /** Distance inside the triplet loss. @defaultValue `'squared-l2'` */
  metric?: TripletMetric;
  /** P identities × K images per batch. @defaultValue `10`, `5` */
  p?: number;
  k?: number;
  /** Largest shift at full resolution (divided by `scale`). @defaultValue `4` */
  maxShift?: number;
  /** Linear warm-up steps. @defaultValue `0` */
  warmupSteps?: number;
  /** Compact encoder's conv channels. @defaultValue `[32, 64, 128, 128]` */
  channels?: number[];
  /** Embedding length. @defaultValue `128` */
  embeddingSize?: number;
  /** Weight of the additive-margin softmax over the training identities (`trainTriplet`'s `classification`); 0 = off. @defaultValue `0` */
  classification?: number;
  /** Augmentation beyond flips and shifts (`augmentFaces`, edge fill): largest rotation in degrees, zoom jitter, brightness/contrast jitter. @defaultValue `0` each */
  rotation?: number;
  zoom?: number;
  brightness?: number;
  onProgress?: (p: TripletProgress) => void;
  onWarning?: (w: TrainingWarning) => void;
}

/**
 * EVAL-FACES recipe: compact encoder from scratch, flip + ±4 px shifts
 * (±4/scale when downscaled), P=10 × K=5, Adam 1e-3 cosine, margin 0.2 on
 * squared L2 (each overridable); optionally the classification term and
 * rotation / zoom / brightness augmentation.
 */
export async function trainCompactTriplet(data: { images: tf.Tensor4D; labels: number[] }, o: RecipeOptions): Promise<{ encoder: CompactEncoder; ms: number; losses: number[]; warnings: number; warningCodes: Record<string, number> }> {
  const [, h, w] = data.images.shape;
  const encoder = createCompactEncoder({ inputShape: [h, w, 1], seed: o.seed, channels: o.channels, embeddingSize: o.embeddingSize });
  const maxShift = Math.max(1, Math.round((o.maxShift ?? 4) / o.scale));
  const t0 = Date.now();
  const objective = tripletObjective({
    strategy: o.strategy, p: o.p ?? 10, k: o.k ?? 5, margin: o.margin ?? 0.2, metric: o.metric ?? 'squared-l2',
    classification: o.classification ? { weight: o.classification } : undefined,
  });
  const res = await train(encoder, data, {
    objective, steps: o.steps, optimizer: 'adam', learningRate: o.learningRate ?? 1e-3, schedule: 'cosine',
    warmupSteps: o.warmupSteps ?? 0, seed: o.seed,
    augment: o.rotation || o.zoom || o.brightness
      ? (x, step) => augmentFaces(x, { maxShift, rotation: o.rotation ?? 0, scale: o.zoom ?? 0, brightness: o.brightness ?? 0, fill: 'edge', seed: o.seed * 100_003 + step })
      : (x, step) => flipAndShift(x, { maxShift, seed: o.seed * 100_003 + step }),
    onProgress: o.onProgress, onWarning: o.onWarning ?? (() => {}),
  });
  const warningCodes: Record<string, number> = {};
  for (const wn of res.warnings) warningCodes[wn.code] = (warningCodes[wn.code] ?? 0) + 1;
  return { encoder, ms: Date.now() - t0, losses: res.losses, warnings: res.warnings.length, warningCodes };
}
