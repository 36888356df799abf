import { InvalidArgumentError } from '@likeness/backends';
import { tarAtFar } from '@likeness/embeddings';
import { bootstrapEerImprovement, resolveKeepBest, weightedEqualErrorRate, type KeepBestOptions, type ValidationPairLabels } from './keep-best-guard';

/** One epoch's pooled validation pairs: every fold model's distances over its own validation pairs, concatenated in the same pair order for every epoch. */
export interface PooledEpochScores {
  /** Pair distances (lower = more alike), [P], same pairs and order for every epoch. */
  readonly distances: ArrayLike<number>;
  /** The scale-free validation loss (mean over the folds); the last tie-breaker. */
  readonly loss: number;
}

/** Figures of one epoch in {@link PooledEpochSelection}. */
export interface PooledEpoch {
  /** The epoch (0: the starting weights). */
  readonly epoch: number;
  /** EER of the pooled pairs. */
  readonly eer: number;
  /** TAR at the target FAR (`targetFar`, default 1e-3) of the pooled pairs. */
  readonly tar: number;
  /** The pooled scale-free validation loss (the last tie-breaker). */
  readonly loss: number;
  /** Share of the paired bootstrap resamples in which this epoch's pooled EER is below epoch 0's (NaN for epoch 0). */
  readonly better: number;
  /** Share of the resamples in which it is above epoch 0's (the rest are ties). */
  readonly worse: number;
  /**
   * The guard's confidence: `better` — resamples with equal EERs count as
   * not better (they drew none of the people whose pairs changed). With 30
   * people, a gain carried by one person's pairs can reach only
   * 1 − (29/30)³⁰ ≈ 64 %, by two ≈ 87 %, by three ≈ 96 %. NaN for epoch 0.
   */
  readonly confidence: number;
}

/** Options of {@link selectPooledEpoch}. */
export interface SelectPooledEpochOptions {
  /** The significance test of the chosen epoch against epoch 0 (resampling unit, confidence, resamples, seed). @defaultValue `{ minConfidence: 0.95, resamples: 1000, unit: 'identity', seed: 0 }` */
  keepBest?: KeepBestOptions;
  /** FAR of the TAR tie-breaker. @defaultValue `1e-3` */
  targetFar?: number;
}

/** What {@link selectPooledEpoch} returns. */
export interface PooledEpochSelection {
  /** Figures of every epoch 0 … E. */
  readonly epochs: PooledEpoch[];
  /** The best fine-tuned epoch (≥ 1) by the point estimates: lowest pooled EER, ties: highest TAR@FAR, then lowest loss. 0 when there is none. */
  readonly candidate: number;
  /** The epoch to keep: `candidate` when it beats epoch 0 on the point estimates AND the guard accepts it, else 0 (the starting weights). */
  readonly chosen: number;
  /** The candidate's bootstrap confidence against epoch 0 (NaN without a candidate). */
  readonly confidence: number;
}

const EPS = 1e-12;
function pointBetter(a: PooledEpoch, b: PooledEpoch): boolean {
  if (a.eer < b.eer - EPS) return true;
  if (a.eer > b.eer + EPS) return false;
  if (a.tar > b.tar + EPS) return true;
  if (a.tar < b.tar - EPS) return false;
  return a.loss < b.loss - 1e-9;
}

/**
 * The selection rule of cross-validated fine-tuning, on plain numbers.
 * `epochs[e]` holds the pooled validation pairs after e epochs (e = 0: the
 * starting weights). The rule:
 * 1. the candidate is the fine-tuned epoch (e ≥ 1) with the lowest pooled
 *    EER (ties: the highest pooled TAR at `targetFar`, then the lowest loss);
 * 2. it is kept only if it beats epoch 0 on the same point estimates and a
 *    paired bootstrap (`keepBest`: by default the people are resampled)
 *    puts its pooled EER strictly below epoch 0's in ≥ `minConfidence` of
 *    the resamples (a resample with equal EERs counts as not better);
 *    otherwise epoch 0 is kept.
 * Only one epoch is tested against epoch 0 (no multiple comparisons); every
 * epoch's confidence is reported. Deterministic for a seed.
 *
 * @example
 * ```ts
 * // d0, d1, d2: [P] pooled validation distances after 0, 1, 2 epochs; labels.a/b [P]: the pairs' two people
 * const s = selectPooledEpoch([{ distances: d0, loss: 0.2 }, { distances: d1, loss: 0.1 }, { distances: d2, loss: 0.1 }], labels);
 * s.chosen; // 0, 1 or 2
 * ```
 */
export function selectPooledEpoch(epochs: readonly PooledEpochScores[], labels: ValidationPairLabels, options: SelectPooledEpochOptions = {}): PooledEpochSelection {
  const fn = 'selectPooledEpoch';
  if (!Array.isArray(epochs) || epochs.length < 1) throw new InvalidArgumentError({ fn, argument: 'epochs', message: 'expected at least epoch 0\'s scores ({ distances, loss }).' });
  const guard = resolveKeepBest(options.keepBest, fn, options.keepBest?.seed ?? 0);
  const targetFar = options.targetFar ?? 1e-3;
  if (typeof targetFar !== 'number' || !(targetFar > 0 && targetFar < 1)) throw new InvalidArgumentError({ fn, argument: 'options.targetFar', message: `expected a rate in (0, 1) such as 1e-3, got ${String(targetFar)}.` });
  const n = epochs[0]!.distances?.length;
  if (labels?.a?.length !== n || labels.b?.length !== n) throw new InvalidArgumentError({ fn, argument: 'labels', message: `expected one (a, b) pair label per distance (${n}).` });
  epochs.forEach((e, i) => {
    if (e?.distances?.length !== n) throw new InvalidArgumentError({ fn, argument: `epochs[${i}].distances`, message: `expected ${n} distances (the same pairs as epoch 0), got ${e?.distances?.length}.` });
  });
  const same = Array.from({ length: n }, (_, i) => (labels.a[i] === labels.b[i] ? 1 : 0));
  if (!same.includes(1) || !same.includes(0)) throw new InvalidArgumentError({ fn, argument: 'labels', message: 'the pooled pairs need both same-person and different-person pairs.' });
  const base = epochs[0]!.distances, ones = new Float64Array(n).fill(1);
  const scored: PooledEpoch[] = epochs.map((e, epoch) => {
    const b = epoch === 0 ? null : bootstrapEerImprovement(base, e.distances, labels, { ...guard, seed: guard.seed * 1000 + epoch });
    const eer = b ? b.candidateEer : weightedEqualErrorRate(base, same, ones);
    const confidence = b ? b.confidence : NaN;
    return { epoch, eer, tar: tarAtFar(e.distances, same, targetFar).tar, loss: e.loss, better: b ? b.confidence : NaN, worse: b ? b.worse : NaN, confidence };
  });
  let candidate = 0;
  for (let e = 1; e < scored.length; e++) if (candidate === 0 || pointBetter(scored[e]!, scored[candidate]!)) candidate = e;
  if (candidate === 0) return { epochs: scored, candidate, chosen: 0, confidence: NaN };
  const c = scored[candidate]!;
  const significant = guard.minConfidence === 0 || (c.confidence >= guard.minConfidence && c.eer < scored[0]!.eer - EPS);
  const chosen = pointBetter(c, scored[0]!) && significant ? candidate : 0;
  return { epochs: scored, candidate, chosen, confidence: c.confidence };
}
