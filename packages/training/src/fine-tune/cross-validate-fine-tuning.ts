import * as tf from '@tensorflow/tfjs-core';
import { assertNumber, InvalidArgumentError } from '@likeness/backends';
import { equalErrorRate } from '@likeness/embeddings';
import { assignIdentityFolds } from './identity-folds';
import { resolveKeepBest, type KeepBestOptions } from './keep-best-guard';
import { selectPooledEpoch, type PooledEpoch } from './pooled-epoch-selection';
import { yieldToEventLoop } from '../internal/yield-to-event-loop';

/** What a fine-tuning session's validation scoring returns ({@link FineTuningSession.score}, {@link CachedFeaturesSession.scoreFeatures}). */
export interface ValidationScores {
  /** Distance of every pair (i < j) of the validation images, in their order (lower = more alike). */
  distances: ArrayLike<number>;
  /** Scale-free validation loss (lower is better): the last tie-breaker. */
  loss: number;
}

/** A fine-tuning run in progress (see {@link FineTuningMethod.begin}). */
export interface FineTuningSession {
  /** Trains one epoch; returns its mean training loss. */
  trainEpoch(): number | Promise<number>;
  /**
   * Scores every pair (i < j, in the order of `rows`) of the given images
   * with the current weights: `distances` (lower = more alike) and a
   * validation loss that does not reward a mere change of scale (the last
   * tie-breaker).
   */
  score(rows: Int32Array): ValidationScores;
  /** Frees the session's optimisers (not the net). */
  dispose(): void;
}

/**
 * A fine-tuner as {@link crossValidateFineTuning} drives it: the training
 * images are fixed (their frozen features cached once by the fine-tuner)
 * and addressed by index.
 */
export interface FineTuningMethod {
  /** Identity of each training image. */
  readonly labels: ArrayLike<number>;
  /** Every variable training changes; their values at the call are the starting weights that each fold and the final fit start from. */
  readonly variables: readonly tf.Variable[];
  /**
   * Starts training on the images `rows` (indices into `labels`) from the
   * current weights with fresh optimiser state, batches and augmentation
   * choices seeded by `seed`. It may first fit parts of the model on those
   * rows only (e.g. a verification head on their frozen embeddings).
   */
  begin(rows: Int32Array, seed: number): FineTuningSession | Promise<FineTuningSession>;
}

/** Options of {@link crossValidateFineTuning}. */
export interface CrossValidateFineTuningOptions {
  /** Folds of training people (each validated once by the model of the other folds). At least 2 people per fold. @defaultValue `5` */
  folds?: number;
  /** Epochs every fold trains (no early stopping inside folds); the kept epoch is chosen among 0 … epochs. @defaultValue `5` */
  epochs?: number;
  /** The significance test of the chosen epoch against epoch 0 over the pooled pairs. @defaultValue `{ minConfidence: 0.95, resamples: 1000, unit: 'identity', seed }` */
  keepBest?: KeepBestOptions;
  /** FAR of the TAR tie-breaker. @defaultValue `1e-3` */
  targetFar?: number;
  /** Fold assignment and the final fit use `seed`; fold f trains with seed `seed + 1000·(f + 1)`. @defaultValue `0` */
  seed?: number;
  /** Called after every fold epoch (`fold` ≥ 0) and every final-fit epoch (`fold` = -1, no validation: NaN). */
  onEpoch?: (e: CrossValidationEpoch) => void;
}

/** One epoch of one fold (or of the final fit, fold -1). */
export interface CrossValidationEpoch {
  /** The fold (0 … folds − 1), or -1 for the final fit on all training people. */
  readonly fold: number;
  /** Epochs trained so far in this fold or final fit (0: the starting weights). */
  readonly epoch: number;
  /** Mean training loss (NaN for epoch 0). */
  readonly loss: number;
  /** EER of the fold's own validation people (NaN in the final fit). */
  readonly validationEer: number;
  /** The method's validation loss on the same pairs, the tie-breaker (NaN in the final fit). */
  readonly validationLoss: number;
  /** Wall-clock seconds of the epoch (training and scoring). */
  readonly seconds: number;
}

/** What {@link crossValidateFineTuning} returns. */
export interface CrossValidationResult {
  /** Each fold's validation people and epoch history (epochs 0 … epochs). */
  readonly folds: {
    /** The fold's validation people (labels). */
    readonly people: readonly number[];
    /** The fold's epochs 0 … epochs. */
    readonly history: CrossValidationEpoch[];
  }[];
  /** The pooled figures per epoch (all folds' validation pairs together) and each epoch's bootstrap confidence against epoch 0. */
  readonly pooled: PooledEpoch[];
  /** Same-person and different-person pairs pooled (different-person pairs only within a fold). */
  readonly pooledPairs: {
    /** Same-person pairs pooled over the folds. */
    readonly same: number;
    /** Different-person pairs pooled (within a fold). */
    readonly different: number;
  };
  /** The best fine-tuned epoch by the pooled point estimates. */
  readonly candidateEpoch: number;
  /** The candidate epoch's bootstrap confidence against epoch 0: share of resamples in which its pooled EER is lower. */
  readonly confidence: number;
  /** The kept epoch e*: the final fit trained e* epochs on all training people (0: the starting weights). */
  readonly chosenEpoch: number;
  /** The final fit's epochs (fold -1). */
  readonly finalFit: CrossValidationEpoch[];
  /** Seconds in the folds. */
  readonly foldSeconds: number;
  /** Seconds in the final fit. */
  readonly finalFitSeconds: number;
  /** Seconds in all. */
  readonly seconds: number;
}

/**
 * Checks the {@link crossValidateFineTuning} options that need no data
 * (folds, epochs, seed, guard, target FAR) and throws
 * `InvalidArgumentError` naming `fn`, so a fine-tuner that plugs into the
 * cross-validation can fail before caching features.
 *
 * @example
 * ```ts
 * const { folds, epochs, seed } = checkCrossValidationOptions({ folds: 5 }, 'myFineTuner'); // 5, 5, 0
 * ```
 */
export function checkCrossValidationOptions(o: CrossValidateFineTuningOptions, fn: string): { folds: number; epochs: number; seed: number } {
  const folds = o.folds ?? 5, epochs = o.epochs ?? 5, seed = o.seed ?? 0;
  assertNumber(folds, fn, 'options.folds', { integer: true, min: 2 });
  assertNumber(epochs, fn, 'options.epochs', { integer: true, min: 1 });
  assertNumber(seed, fn, 'options.seed', { integer: true });
  resolveKeepBest(o.keepBest, fn, seed);
  const far = o.targetFar ?? 1e-3;
  if (typeof far !== 'number' || !(far > 0 && far < 1)) throw new InvalidArgumentError({ fn, argument: 'options.targetFar', message: `expected a rate in (0, 1) such as 1e-3, got ${String(far)}.` });
  return { folds, epochs, seed };
}

/**
 * Model selection for fine-tuning by k-fold cross-validation over the
 * training **people**, then a final fit on all of them:
 * 1. the people are dealt to `folds` folds (`assignIdentityFolds`, seeded);
 *    for every fold, starting from the same weights, the method trains on
 *    the other folds' people for `epochs` epochs, scoring the fold's own
 *    people after every epoch;
 * 2. per epoch, the folds' validation pairs are pooled — every person is
 *    validated once, by the model that never saw them: all same-person
 *    pairs, and the different-person pairs within each fold (pairs across
 *    folds would compare two models' distances, so there are none) — and
 *    `selectPooledEpoch` picks e*: the fine-tuned epoch with the lowest
 *    pooled EER (ties: TAR@FAR, loss), kept only if a paired bootstrap over
 *    the people finds it better than epoch 0 in ≥ 95 % of the resamples;
 * 3. the weights are put back and the method trains on all people for e*
 *    epochs with `seed` (e* = 0: no step; the net keeps its starting
 *    weights bit for bit).
 * The method's variables end holding the final fit. Pooling one ROC over
 * the fold models asks that one threshold serve all of them: a model whose
 * distance scale drifted counts against its epoch.
 *
 * @example
 * ```ts
 * // method: a FineTuningMethod over N cached training images of ≥ 10 people
 * const r = await crossValidateFineTuning(method, { folds: 5, epochs: 5, seed: 0 });
 * r.chosenEpoch; r.pooled[r.chosenEpoch].eer; // the net now holds the final fit
 * ```
 */
export async function crossValidateFineTuning(method: FineTuningMethod, options: CrossValidateFineTuningOptions = {}): Promise<CrossValidationResult> {
  const fn = 'crossValidateFineTuning';
  if (method == null || typeof method.begin !== 'function' || !Array.isArray(method.variables) || method.labels == null) {
    throw new InvalidArgumentError({ fn, argument: 'method', message: 'expected a FineTuningMethod { labels, variables, begin(rows, seed) }.' });
  }
  const o = options ?? {};
  const { folds: K, epochs, seed } = checkCrossValidationOptions(o, fn);
  const labels = method.labels;
  const folds = assignIdentityFolds(labels, K, seed, fn);
  folds.people.forEach((ps, f) => {
    if (ps.length < 2) throw new InvalidArgumentError({ fn, argument: 'options.folds', message: `fold ${f} has ${ps.length} person; every fold needs ≥ 2 people (different-person pairs): use at most ${Math.floor(new Set(Array.from(labels)).size / 2)} folds.` });
  });
  const withPairs = folds.rows.filter((rows) => rows.some((r, i) => rows.some((q, j) => j > i && labels[q] === labels[r]))).length;
  if (withPairs === 0) throw new InvalidArgumentError({ fn, argument: 'method.labels', message: 'no person has two images: cross-validation needs same-person pairs.' });

  const t0 = Date.now();
  const start = method.variables.map((v) => tf.clone(v));
  const restore = () => method.variables.forEach((v, i) => v.assign(start[i]!));
  try {
    const all = Int32Array.from(labels, (_, i) => i);
    const foldResults: CrossValidationResult['folds'] = [];
    const perEpoch: { distances: number[]; losses: number[] }[] = Array.from({ length: epochs + 1 }, () => ({ distances: [], losses: [] }));
    const pairA: number[] = [], pairB: number[] = [];
    for (let f = 0; f < K; f++) {
      const valRows = folds.rows[f]!;
      const trainRows = all.filter((i) => folds.foldOf[i] !== f);
      for (let i = 0; i < valRows.length; i++) for (let j = i + 1; j < valRows.length; j++) { pairA.push(labels[valRows[i]!]!); pairB.push(labels[valRows[j]!]!); }
      restore();
      const history: CrossValidationEpoch[] = [];
      const session = await method.begin(trainRows, seed + 1000 * (f + 1));
      try {
        for (let e = 0; e <= epochs; e++) {
          const t = Date.now();
          await yieldToEventLoop();
          const loss = e === 0 ? NaN : await session.trainEpoch();
          await yieldToEventLoop();
          const sc = session.score(valRows);
          const d = Array.from(sc.distances);
          const expected = (valRows.length * (valRows.length - 1)) / 2;
          if (d.length !== expected) throw new InvalidArgumentError({ fn, argument: 'method', message: `score(rows) must return one distance per pair (i < j) of the ${valRows.length} rows (${expected}), got ${d.length}.` });
          const same = Array.from({ length: d.length }, (_, k) => (pairA[pairA.length - d.length + k] === pairB[pairB.length - d.length + k] ? 1 : 0));
          perEpoch[e]!.distances.push(...d);
          perEpoch[e]!.losses.push(sc.loss);
          const rec: CrossValidationEpoch = { fold: f, epoch: e, loss, validationEer: equalErrorRate(d, same).eer, validationLoss: sc.loss, seconds: (Date.now() - t) / 1000 };
          history.push(rec);
          o.onEpoch?.(rec);
        }
      } finally {
        session.dispose();
      }
      foldResults.push({ people: folds.people[f]!, history });
    }
    const foldSeconds = (Date.now() - t0) / 1000;
    const sel = selectPooledEpoch(
      perEpoch.map((p) => ({ distances: p.distances, loss: p.losses.reduce((x, y) => x + y, 0) / p.losses.length })),
      { a: pairA, b: pairB }, { keepBest: { seed, ...o.keepBest }, targetFar: o.targetFar },
    );
    const sameCount = pairA.filter((a, i) => a === pairB[i]).length;

    const t1 = Date.now();
    restore();
    const finalFit: CrossValidationEpoch[] = [];
    const session = await method.begin(all, seed);
    try {
      for (let e = 1; e <= sel.chosen; e++) {
        const t = Date.now();
        await yieldToEventLoop();
        const loss = await session.trainEpoch();
        const rec: CrossValidationEpoch = { fold: -1, epoch: e, loss, validationEer: NaN, validationLoss: NaN, seconds: (Date.now() - t) / 1000 };
        finalFit.push(rec);
        o.onEpoch?.(rec);
      }
    } finally {
      session.dispose();
    }
    const now = Date.now();
    return {
      folds: foldResults, pooled: sel.epochs, pooledPairs: { same: sameCount, different: pairA.length - sameCount },
      candidateEpoch: sel.candidate, confidence: sel.confidence, chosenEpoch: sel.chosen, finalFit,
      foldSeconds, finalFitSeconds: (now - t1) / 1000, seconds: (now - t0) / 1000,
    };
  } catch (e) {
    restore();
    throw e;
  } finally {
    tf.dispose(start);
  }
}
