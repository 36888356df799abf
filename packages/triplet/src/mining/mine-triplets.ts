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
  /** `'random'` draws from this generator instead of `seed` (its state advances), e.g. a trainer's. */
  rng?: SeededRandom;
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
    if (options.rng === undefined) assertNumber(seed, fn, 'options.seed', { integer: true });
    return randomTriplets(lab, { rng: options.rng ?? new SeededRandom(seed) });
  }
  const D = pairwiseDistances(embeddings, undefined, { metric });
  const d = D.dataSync();
  D.dispose();
  return mineFromDistances(d, lab, strategy, options);
}

/**
 * Mining on a distance matrix you already have (e.g. read back from a
 * training step's forward pass): the same strategies and options as
 * {@link mineTriplets}, in pure TypeScript. `'random'` ignores the distances
 * and draws from `options.rng` when given (its state advances), else from
 * `options.seed`.
 *
 * @param distances - N×N distances: a flat row-major array or rows.
 * @param labels - N identity labels.
 *
 * @example
 * ```ts
 * const d = [[0, 1, 4], [1, 0, 2], [4, 2, 0]];                            // 3×3
 * const t = mineTripletsFromDistances(d, [0, 0, 1], 'batch-hard');        // hardest positive and negative per anchor
 * ```
 */
export function mineTripletsFromDistances(distances: ArrayLike<number> | number[][], labels: ArrayLike<number>, strategy: MiningStrategy, options: MineTripletsOptions = {}): Triplets {
  const fn = 'mineTripletsFromDistances';
  assertOneOf(strategy, MINING_STRATEGIES, fn, 'strategy');
  if (strategy === 'random') {
    const lab = checkIdentityLabels(labels, (labels as ArrayLike<number>)?.length ?? -1, fn);
    if (options.rng === undefined) assertNumber(options.seed ?? 0, fn, 'options.seed', { integer: true });
    return randomTriplets(lab, { rng: options.rng ?? new SeededRandom(options.seed ?? 0) });
  }
  return mineFromDistances(distances, labels, strategy, options);
}

/** @internal Dispatch on a distance matrix already read back (checks it). */
export function mineFromDistances(d: ArrayLike<number> | number[][], lab: ArrayLike<number>, strategy: Exclude<MiningStrategy, 'random'>, options: MineTripletsOptions): Triplets {
  if (strategy === 'batch-all') return batchAllFromDistances(d, lab, { activeOnly: options.activeOnly, margin: options.margin });
  if (strategy === 'batch-hard') return batchHardFromDistances(d, lab);
  return semiHardFromDistances(d, lab, { margin: options.margin, fallback: options.fallback });
}
