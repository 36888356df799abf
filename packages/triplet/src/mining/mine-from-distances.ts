import { assertNumber, assertOneOf } from '@likeness/backends';
import { TripletBuilder, type Triplets } from '../triplets';
import { flatDistances } from './distance-matrix';
import { checkIdentityLabels } from '@likeness/embeddings';

/** Options of {@link batchAllFromDistances}. */
export interface BatchAllOptions {
  /** Keep only triplets with a non-zero loss under `margin`. @defaultValue `false` */
  activeOnly?: boolean;
  /** α, used by `activeOnly`. @defaultValue `0.2` */
  margin?: number;
}

/**
 * Batch-all mining on a precomputed distance matrix: every valid triplet
 * (a, p, n) with label(p) = label(a), p ≠ a, label(n) ≠ label(a), ordered by
 * anchor, then positive, then negative.
 *
 * @example
 * ```ts
 * const t = batchAllFromDistances(D.dataSync(), [0, 0, 1]); // D [3,3] → 2 triplets: (0,1,2), (1,0,2)
 * ```
 */
export function batchAllFromDistances(distances: ArrayLike<number> | number[][], labels: ArrayLike<number>, options: BatchAllOptions = {}): Triplets {
  const fn = 'batchAllFromDistances';
  const lab = checkIdentityLabels(labels, (labels as ArrayLike<number>)?.length ?? -1, fn);
  const n = lab.length;
  const d = flatDistances(distances, n, fn);
  const margin = options.margin ?? 0.2;
  assertNumber(margin, fn, 'options.margin', { min: 0 });
  const out = new TripletBuilder();
  for (let a = 0; a < n; a++) {
    for (let p = 0; p < n; p++) {
      if (p === a || lab[p] !== lab[a]) continue;
      const dap = d[a * n + p]!;
      for (let q = 0; q < n; q++) {
        if (lab[q] === lab[a]) continue;
        if (options.activeOnly && !(dap - d[a * n + q]! + margin > 0)) continue;
        out.push(a, p, q);
      }
    }
  }
  return out.build();
}

/**
 * Batch-hard mining (Hermans et al. 2017): for each anchor that has a
 * positive and a negative in the batch, its farthest positive and its
 * nearest negative (ties → lowest index). At most N triplets.
 *
 * @example
 * ```ts
 * const t = batchHardFromDistances(D.dataSync(), labels); // D [N,N] → ≤ N triplets
 * ```
 */
export function batchHardFromDistances(distances: ArrayLike<number> | number[][], labels: ArrayLike<number>): Triplets {
  const fn = 'batchHardFromDistances';
  const lab = checkIdentityLabels(labels, (labels as ArrayLike<number>)?.length ?? -1, fn);
  const n = lab.length;
  const d = flatDistances(distances, n, fn);
  const out = new TripletBuilder();
  for (let a = 0; a < n; a++) {
    let bestP = -1;
    let bestN = -1;
    for (let j = 0; j < n; j++) {
      if (j === a) continue;
      const v = d[a * n + j]!;
      if (lab[j] === lab[a]) {
        if (bestP < 0 || v > d[a * n + bestP]!) bestP = j;
      } else if (bestN < 0 || v < d[a * n + bestN]!) bestN = j;
    }
    if (bestP >= 0 && bestN >= 0) out.push(a, bestP, bestN);
  }
  return out.build();
}

/**
 * What semi-hard mining does for an (a, p) pair with no semi-hard negative:
 * - `'least-hard'`: the hard negative (d(a,n) ≤ d(a,p)) farthest from a,
 *   i.e. the one closest to being semi-hard; skip the pair if there is none
 *   (then every negative is beyond the margin and the loss would be 0);
 * - `'hardest'`: the nearest negative (batch-hard's choice);
 * - `'skip'`: no triplet for that pair.
 */
export type SemiHardFallback = 'least-hard' | 'hardest' | 'skip';
export const SEMI_HARD_FALLBACKS: readonly SemiHardFallback[] = Object.freeze(['least-hard', 'hardest', 'skip'] as const);

/** Options of {@link semiHardFromDistances}. */
export interface SemiHardOptions {
  /** α: semi-hard negatives satisfy d(a,p) < d(a,n) < d(a,p) + α. @defaultValue `0.2` */
  margin?: number;
  /** @defaultValue `'least-hard'` */
  fallback?: SemiHardFallback;
}

/**
 * Semi-hard mining (FaceNet, Schroff et al. 2015): for every positive pair
 * (a, p), the nearest negative among those farther than the positive but
 * inside the margin, d(a,p) < d(a,n) < d(a,p) + α; see
 * {@link SemiHardFallback} when there is none.
 *
 * @example
 * ```ts
 * const t = semiHardFromDistances(D.dataSync(), labels, { margin: 0.2 }); // D [N,N] → ≤ Σ positives triplets
 * ```
 */
export function semiHardFromDistances(distances: ArrayLike<number> | number[][], labels: ArrayLike<number>, options: SemiHardOptions = {}): Triplets {
  const fn = 'semiHardFromDistances';
  const lab = checkIdentityLabels(labels, (labels as ArrayLike<number>)?.length ?? -1, fn);
  const n = lab.length;
  const d = flatDistances(distances, n, fn);
  const margin = options.margin ?? 0.2;
  assertNumber(margin, fn, 'options.margin', { min: 0 });
  const fallback = options.fallback ?? 'least-hard';
  assertOneOf(fallback, SEMI_HARD_FALLBACKS, fn, 'options.fallback');
  const out = new TripletBuilder();
  for (let a = 0; a < n; a++) {
    for (let p = 0; p < n; p++) {
      if (p === a || lab[p] !== lab[a]) continue;
      const dap = d[a * n + p]!;
      let semi = -1;
      let leastHard = -1;
      let hardest = -1;
      for (let q = 0; q < n; q++) {
        if (lab[q] === lab[a]) continue;
        const v = d[a * n + q]!;
        if (v > dap && v < dap + margin) {
          if (semi < 0 || v < d[a * n + semi]!) semi = q;
        } else if (v <= dap) {
          if (leastHard < 0 || v > d[a * n + leastHard]!) leastHard = q;
        }
        if (hardest < 0 || v < d[a * n + hardest]!) hardest = q;
      }
      let pick = semi;
      if (pick < 0 && fallback === 'least-hard') pick = leastHard;
      if (pick < 0 && fallback === 'hardest') pick = hardest;
      if (pick >= 0) out.push(a, p, pick);
    }
  }
  return out.build();
}
