import * as tf from '@tensorflow/tfjs-core';
import { assertNumber, assertOneOf } from '@likeness/backends';
import { pairwiseDistances, SeededRandom, assertEmbeddings, checkIdentityLabels } from '@likeness/embeddings';
import type { Triplets } from '../triplets';
import type { TripletMetric } from '../triplet-loss';
import { TRIPLET_METRICS } from '../triplet-loss';
import { batchAllFromDistances, batchHardFromDistances, semiHardFromDistances, type SemiHardFallback } from './mine-from-distances';
import { randomTriplets } from './random-triplets';

/**
 * How a trainer picks triplets inside a batch:
 * `'batch-all'`, `'batch-hard'`, `'semi-hard'` (online mining on the
 * batch's embeddings) or `'random'` (one random positive and negative per
 * anchor, ignoring the embeddings — the baseline that learns little).
 */
export type MiningStrategy = 'batch-all' | 'batch-hard' | 'semi-hard' | 'random';
export const MINING_STRATEGIES: readonly MiningStrategy[] = Object.freeze(['batch-all', 'batch-hard', 'semi-hard', 'random'] as const);

/** Options of {@link mineTriplets}. */
export interface MineTripletsOptions {
  /** Distance used to rank candidates; use the loss's. @defaultValue `'squared-l2'` */
  metric?: TripletMetric;
  /** α for semi-hard and `activeOnly`. @defaultValue `0.2` */
  margin?: number;
  /** Semi-hard fallback. @defaultValue `'least-hard'` */
  fallback?: SemiHardFallback;
  /** Batch-all: keep active triplets only. @defaultValue `false` */
  activeOnly?: boolean;
  /** Seed for `'random'`. @defaultValue `0` */
  seed?: number;
}

/**
 * Online mining inside a batch: computes the batch's distance matrix on the
 * backend, reads it back once and picks triplets with `strategy`. The
 * returned indices are rows of `embeddings`; no tensor is returned.
 *
 * @example
 * ```ts
 * const t = mineTriplets(e, labels, 'batch-hard'); // e [N,128], labels [N] → Triplets (≤ N)
 * const J = tripletLoss(tf.gather(e, t.anchors), tf.gather(e, t.positives), tf.gather(e, t.negatives));
 * ```
 */
export function mineTriplets(embeddings: tf.Tensor2D, labels: ArrayLike<number>, strategy: MiningStrategy, options: MineTripletsOptions = {}): Triplets {
  const fn = 'mineTriplets';
  assertEmbeddings(embeddings, fn, 'embeddings');
  const lab = checkIdentityLabels(labels, embeddings.shape[0], fn);
  assertOneOf(strategy, MINING_STRATEGIES, fn, 'strategy');
  const metric = options.metric ?? 'squared-l2';
  assertOneOf(metric, TRIPLET_METRICS, fn, 'options.metric');
  if (strategy === 'random') {
    const seed = options.seed ?? 0;
    assertNumber(seed, fn, 'options.seed', { integer: true });
    return randomTriplets(lab, { rng: new SeededRandom(seed) });
  }
  const D = pairwiseDistances(embeddings, undefined, { metric });
  const d = D.dataSync();
  D.dispose();
  return mineFromDistances(d, lab, strategy, options);
}

/** @internal Dispatch on a distance matrix already read back. */
export function mineFromDistances(d: ArrayLike<number>, lab: Int32Array, strategy: Exclude<MiningStrategy, 'random'>, options: MineTripletsOptions): Triplets {
  if (strategy === 'batch-all') return batchAllFromDistances(d, lab, { activeOnly: options.activeOnly, margin: options.margin });
  if (strategy === 'batch-hard') return batchHardFromDistances(d, lab);
  return semiHardFromDistances(d, lab, { margin: options.margin, fallback: options.fallback });
}
