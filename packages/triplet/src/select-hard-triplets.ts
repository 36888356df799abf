import * as tf from '@tensorflow/tfjs-core';
import { assertNumber, assertOneOf, assertTensor, ShapeError } from '@likeness/backends';
import { pairwiseDistances, type Encoder, checkIdentityLabels } from '@likeness/embeddings';
import type { Triplets } from './triplets';
import { TRIPLET_METRICS, type TripletMetric } from './triplet-loss';
import { mineFromDistances } from './mining/mine-triplets';
import type { SemiHardFallback } from './mining/mine-from-distances';

/** Options of {@link selectHardTriplets}. */
export interface SelectHardTripletsOptions {
  /** @defaultValue `'batch-hard'` */
  strategy?: 'batch-hard' | 'semi-hard' | 'batch-all';
  /** @defaultValue `'squared-l2'` */
  metric?: TripletMetric;
  /** @defaultValue `0.2` */
  margin?: number;
  /** Semi-hard fallback. @defaultValue `'least-hard'` */
  fallback?: SemiHardFallback;
  /** Images per encoder pass. @defaultValue `64` */
  batchSize?: number;
  /** Batch-all: keep only active triplets. @defaultValue `true` */
  activeOnly?: boolean;
}

/**
 * Embeds the dataset with the current encoder (inference mode, in chunks)
 * and picks hard triplets over the **whole** dataset — FaceNet's offline
 * selection, to be refreshed every few epochs. Returns dataset indices.
 * Memory: N×N distances (400 images → 160 k floats).
 *
 * @example
 * ```ts
 * const t = selectHardTriplets(encoder, images, labels, { strategy: 'semi-hard' }); // images [N,H,W,C] → Triplets
 * ```
 */
export function selectHardTriplets(encoder: Encoder, images: tf.Tensor4D, labels: ArrayLike<number>, options: SelectHardTripletsOptions = {}): Triplets {
  const fn = 'selectHardTriplets';
  assertTensor(images, fn, 'images');
  if (images.rank !== 4) throw new ShapeError({ fn, argument: 'images', expected: 'a batch of images [N,H,W,C]', actual: images.shape });
  const lab = checkIdentityLabels(labels, images.shape[0], fn);
  const strategy = options.strategy ?? 'batch-hard';
  assertOneOf(strategy, ['batch-hard', 'semi-hard', 'batch-all'] as const, fn, 'options.strategy');
  const metric = options.metric ?? 'squared-l2';
  assertOneOf(metric, TRIPLET_METRICS, fn, 'options.metric');
  const batchSize = options.batchSize ?? 64;
  assertNumber(batchSize, fn, 'options.batchSize', { integer: true, min: 1 });
  const d = tf.tidy(() => {
    const parts: tf.Tensor2D[] = [];
    for (let s = 0; s < images.shape[0]; s += batchSize) {
      const n = Math.min(batchSize, images.shape[0] - s);
      parts.push(encoder.encode(tf.slice(images, [s, 0, 0, 0], [n, -1, -1, -1]), { training: false }));
    }
    return pairwiseDistances(tf.concat(parts, 0), undefined, { metric });
  });
  const values = d.dataSync();
  d.dispose();
  return mineFromDistances(values, lab, strategy, { margin: options.margin, fallback: options.fallback, activeOnly: options.activeOnly ?? true });
}
