import { InvalidArgumentError } from '@likeness/backends';
import { SeededRandom } from '@likeness/embeddings';

/**
 * The keep-best guard of `fineTune` (either objective, `select: {
 * validation }`): a fine-tuned epoch replaces the starting
 * weights (epoch 0) only when its validation EER is lower than epoch 0's
 * in at least `minConfidence` of `resamples` paired bootstrap resamples of
 * the validation set. A handful of validation people cannot resolve small
 * differences; without the guard any tiny validation gain would be kept.
 */
export interface KeepBestOptions {
  /**
   * Share of the resamples in which the epoch must beat epoch 0 (strictly
   * lower EER). `0` turns the guard off (any point-estimate gain is kept).
   * @defaultValue `0.95`
   */
  minConfidence?: number;
  /** Bootstrap resamples. @defaultValue `1000` */
  resamples?: number;
  /**
   * What is resampled with replacement: `'identity'` (default) draws the
   * validation people — pairs of the same person weigh their person's
   * count, pairs of two people the product of the counts — which respects
   * that pairs sharing a person are not independent; `'pair'` draws
   * same-person pairs and different-person pairs separately (narrower,
   * assumes independent pairs). @defaultValue `'identity'`
   */
  unit?: 'identity' | 'pair';
  /** Seed of the resampling. @defaultValue the fine-tuner's `seed` */
  seed?: number;
}

/** {@link KeepBestOptions} with every default filled in. */
export type ResolvedKeepBest = Required<KeepBestOptions>;

/**
 * Checks `keepBest` options and fills in the defaults.
 *
 * @example
 * ```ts
 * const kb = resolveKeepBest({ minConfidence: 0.9 }, 'myTrainer', 7); // { minConfidence: 0.9, resamples: 1000, unit: 'identity', seed: 7 }
 * ```
 */
export function resolveKeepBest(options: KeepBestOptions | undefined, fn: string, defaultSeed = 0): ResolvedKeepBest {
  const o = options ?? {};
  if (typeof o !== 'object') throw new InvalidArgumentError({ fn, argument: 'options.keepBest', message: `expected { minConfidence?, resamples?, unit?, seed? }, got ${String(o)}.` });
  const r: ResolvedKeepBest = { minConfidence: o.minConfidence ?? 0.95, resamples: o.resamples ?? 1000, unit: o.unit ?? 'identity', seed: o.seed ?? defaultSeed };
  if (typeof r.minConfidence !== 'number' || !(r.minConfidence >= 0 && r.minConfidence <= 1)) {
    throw new InvalidArgumentError({ fn, argument: 'options.keepBest.minConfidence', message: `expected a share in [0, 1] (e.g. 0.95; 0 turns the guard off), got ${String(r.minConfidence)}.` });
  }
  if (!Number.isInteger(r.resamples) || r.resamples < 1) throw new InvalidArgumentError({ fn, argument: 'options.keepBest.resamples', message: `expected an integer ≥ 1 (e.g. 1000), got ${String(r.resamples)}.` });
  if (r.unit !== 'identity' && r.unit !== 'pair') throw new InvalidArgumentError({ fn, argument: 'options.keepBest.unit', message: `expected 'identity' or 'pair', got ${String(r.unit)}.` });
  if (!Number.isInteger(r.seed)) throw new InvalidArgumentError({ fn, argument: 'options.keepBest.seed', message: `expected an integer, got ${String(r.seed)}.` });
  return r;
}

/** The validation pairs: the identity of each pair's two images (same order as the distances). */
/**
 * The point-estimate half of keep-best: validation score `a` beats `b` when
 * its EER is lower, or equal (within 1e-12) with a lower validation loss.
 *
 * @example
 * ```ts
 * validationScoreBetter({ eer: 0.01, loss: 2 }, { eer: 0.02, loss: 1 }); // true
 * ```
 */
export function validationScoreBetter(a: { eer: number; loss: number }, b: { eer: number; loss: number }): boolean {
  return a.eer < b.eer - 1e-12 || (Math.abs(a.eer - b.eer) <= 1e-12 && a.loss < b.loss - 1e-9);
}

/** Identity labels of the two sides of each validation pair (pair i is same-person when `a[i] === b[i]`). */
export interface ValidationPairLabels {
  /** Label of each pair's first image. */
  readonly a: ArrayLike<number>;
  /** Label of each pair's second image. */
  readonly b: ArrayLike<number>;
}

/**
 * Equal error rate of weighted pairs: pair i counts `weights[i]` times
 * (distances: lower = more alike). The ROC's crossing of FAR = 1 − TAR,
 * linearly interpolated between the two points around it (ties in the
 * distances form one ROC step). NaN when a class has no weight.
 *
 * @example
 * ```ts
 * weightedEqualErrorRate([0.1, 0.2, 0.9], [1, 0, 0], [1, 1, 1]); // distances [P], same [P], weights [P] → 0
 * ```
 */
export function weightedEqualErrorRate(distances: ArrayLike<number>, same: ArrayLike<number | boolean>, weights: ArrayLike<number>, order?: ArrayLike<number>): number {
  const n = distances.length;
  const idx = order ?? sortedOrder(distances);
  let P = 0, N = 0;
  for (let i = 0; i < n; i++) if (same[i]) P += weights[i]!; else N += weights[i]!;
  if (!(P > 0 && N > 0)) return NaN;
  let tp = 0, fp = 0, g0 = 1, far0 = 0, tar0 = 0;
  for (let k = 0; k < n;) {
    const d = distances[idx[k]!]!;
    while (k < n && distances[idx[k]!]! === d) {
      const i = idx[k]!;
      if (same[i]) tp += weights[i]!; else fp += weights[i]!;
      k++;
    }
    const far = fp / N, tar = tp / P, g = 1 - tar - far;
    if (g0 >= 0 && g <= 0) {
      const t = g0 === g ? 0 : g0 / (g0 - g);
      return ((far0 + t * (far - far0)) + (1 - (tar0 + t * (tar - tar0)))) / 2;
    }
    g0 = g; far0 = far; tar0 = tar;
  }
  /* c8 ignore next */
  return NaN;
}

function sortedOrder(d: ArrayLike<number>): Int32Array {
  return Int32Array.from({ length: d.length }, (_, i) => i).sort((x, y) => d[x]! - d[y]!);
}

/** Result of {@link bootstrapEerImprovement}. */
export interface EerImprovement {
  /** Share of the resamples in which the candidate's EER is strictly below the baseline's (resamples with one class missing count as not better). */
  readonly confidence: number;
  /** Share of the resamples in which the candidate's EER is strictly above the baseline's (the rest are ties). */
  readonly worse: number;
  /** The baseline's EER on the full validation set (all weights 1). */
  readonly baselineEer: number;
  /** The candidate's EER on the full validation set (all weights 1). */
  readonly candidateEer: number;
  /** `confidence ≥ minConfidence` and the candidate's full-set EER is below the baseline's; always true when `minConfidence` is 0 (the guard off). */
  readonly accepted: boolean;
}

/**
 * Paired bootstrap of the validation EER: how sure can one be that the
 * candidate weights separate the validation people better than the
 * baseline (epoch 0)? Both are scored on the same resampled pairs (paired),
 * by identity or by pair ({@link KeepBestOptions}); deterministic for a
 * seed. Plain numbers, no tensors.
 *
 * @example
 * ```ts
 * // baseline, candidate: [P] distances of the same P validation pairs; labels.a/b [P]: the two images' people
 * const r = bootstrapEerImprovement(baseline, candidate, { a, b }, { minConfidence: 0.95, resamples: 1000, seed: 0 });
 * if (r.accepted) keepCandidate();
 * ```
 */
export function bootstrapEerImprovement(
  baseline: ArrayLike<number>, candidate: ArrayLike<number>, labels: ValidationPairLabels, options: KeepBestOptions = {},
): EerImprovement {
  const fn = 'bootstrapEerImprovement';
  const o = resolveKeepBest(options, fn, options.seed ?? 0);
  const n = baseline.length;
  if (candidate.length !== n || labels?.a?.length !== n || labels.b?.length !== n) {
    throw new InvalidArgumentError({ fn, argument: 'candidate', message: `expected as many candidate distances and pair labels as baseline distances (${n}), got ${candidate.length}, ${labels?.a?.length}, ${labels?.b?.length}.` });
  }
  const same = Uint8Array.from({ length: n }, (_, i) => (labels.a[i] === labels.b[i] ? 1 : 0));
  const ob = sortedOrder(baseline), oc = sortedOrder(candidate);
  const ones = new Float64Array(n).fill(1);
  const baselineEer = weightedEqualErrorRate(baseline, same, ones, ob), candidateEer = weightedEqualErrorRate(candidate, same, ones, oc);
  const rng = new SeededRandom(o.seed * 2654435761 + 12345);
  const rnd = () => rng.next();
  const w = new Float64Array(n);
  let wins = 0, losses = 0;
  if (o.unit === 'identity') {
    const ids = [...new Set([...Array.from(labels.a), ...Array.from(labels.b)])].sort((x, y) => x - y);
    const slot = new Map(ids.map((v, i) => [v, i]));
    const ia = Int32Array.from(labels.a, (v) => slot.get(v)!), ib = Int32Array.from(labels.b, (v) => slot.get(v)!);
    const count = new Float64Array(ids.length);
    for (let r = 0; r < o.resamples; r++) {
      count.fill(0);
      for (let k = 0; k < ids.length; k++) count[Math.floor(rnd() * ids.length)]!++;
      for (let i = 0; i < n; i++) w[i] = same[i] ? count[ia[i]!]! : count[ia[i]!]! * count[ib[i]!]!;
      const eb = weightedEqualErrorRate(baseline, same, w, ob), ec = weightedEqualErrorRate(candidate, same, w, oc);
      if (ec < eb - 1e-12) wins++;
      else if (ec > eb + 1e-12) losses++;
    }
  } else {
    const pos: number[] = [], neg: number[] = [];
    for (let i = 0; i < n; i++) (same[i] ? pos : neg).push(i);
    for (let r = 0; r < o.resamples; r++) {
      w.fill(0);
      for (const list of [pos, neg]) for (let k = 0; k < list.length; k++) w[list[Math.floor(rnd() * list.length)]!]!++;
      const eb = weightedEqualErrorRate(baseline, same, w, ob), ec = weightedEqualErrorRate(candidate, same, w, oc);
      if (ec < eb - 1e-12) wins++;
      else if (ec > eb + 1e-12) losses++;
    }
  }
  const confidence = wins / o.resamples;
  return { confidence, worse: losses / o.resamples, baselineEer, candidateEer, accepted: confidence >= o.minConfidence && (o.minConfidence === 0 || candidateEer < baselineEer - 1e-12) };
}
