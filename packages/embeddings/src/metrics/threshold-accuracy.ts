import { InvalidArgumentError } from '@likeness/backends';
import { toPairScores } from '../internal/pair-scores';
import type { PairValueOptions } from './roc-curve';

/** Counts and rates of one threshold on labelled pairs. */
export interface ThresholdAccuracy {
  /**
   * The threshold measured, in the caller's units: a pair is called "same"
   * when distance ≤ threshold (or similarity ≥ threshold).
   */
  readonly threshold: number;
  /** (TP + TN) / all pairs. Misleading when pairs are unbalanced. */
  readonly accuracy: number;
  /** (TAR + TNR) / 2: what to report when different pairs outnumber same ones. */
  readonly balancedAccuracy: number;
  /** TP / positives. */
  readonly tar: number;
  /** FP / negatives. */
  readonly far: number;
  /** True positives: same-person pairs called "same". */
  readonly tp: number;
  /** False positives: different-person pairs called "same" (false accepts). */
  readonly fp: number;
  /** True negatives: different-person pairs called "different". */
  readonly tn: number;
  /** False negatives: same-person pairs called "different" (false rejects). */
  readonly fn: number;
}

/**
 * Accuracy and balanced accuracy of a fixed threshold: a pair is called
 * "same" when distance ≤ threshold (or similarity ≥ threshold).
 *
 * @example
 * ```ts
 * const r = accuracyAtThreshold(d, same, 0.6); // d [P] L2 distances → r.balancedAccuracy
 * ```
 */
export function accuracyAtThreshold(
  values: ArrayLike<number>, same: ArrayLike<boolean | number>, threshold: number, options: PairValueOptions = {},
): ThresholdAccuracy {
  if (typeof threshold !== 'number' || Number.isNaN(threshold)) {
    throw new InvalidArgumentError({ fn: 'accuracyAtThreshold', argument: 'threshold', message: `expected a number, got ${String(threshold)}.` });
  }
  const ps = toPairScores(values, same, options.kind, 'accuracyAtThreshold', { needBoth: false });
  const t = options.kind === 'similarity' ? threshold : -threshold;
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < ps.s.length; i++) {
    if (ps.s[i]! >= t) {
      if (ps.y[i]) tp++;
      else fp++;
    }
  }
  return counts(threshold, tp, fp, ps.positives, ps.negatives);
}

function counts(threshold: number, tp: number, fp: number, positives: number, negatives: number): ThresholdAccuracy {
  const tn = negatives - fp;
  const fn = positives - tp;
  const tar = positives ? tp / positives : 0;
  const tnr = negatives ? tn / negatives : 0;
  const balancedAccuracy = positives && negatives ? (tar + tnr) / 2 : positives ? tar : tnr;
  return {
    threshold, accuracy: (tp + tn) / Math.max(1, positives + negatives), balancedAccuracy,
    tar, far: negatives ? fp / negatives : 0, tp, fp, tn, fn,
  };
}

/** Options of {@link bestThreshold}. */
export interface BestThresholdOptions extends PairValueOptions {
  /**
   * What to maximise. Use `'balanced-accuracy'` when different-person pairs
   * far outnumber same-person ones (always answering "different" scores a
   * high plain accuracy).
   * @defaultValue `'accuracy'`
   */
  criterion?: 'accuracy' | 'balanced-accuracy';
}

/**
 * The threshold with the best (balanced) accuracy on labelled pairs, placed
 * midway between the two neighbouring values it separates; the accuracy it
 * reaches on these pairs comes with it. Choose it on training/calibration
 * pairs, then measure it on held-out pairs with {@link accuracyAtThreshold}.
 *
 * @example
 * ```ts
 * const best = bestThreshold(dTrain, sameTrain, { criterion: 'balanced-accuracy' });
 * const held = accuracyAtThreshold(dTest, sameTest, best.threshold); // [P] arrays
 * ```
 */
export function bestThreshold(values: ArrayLike<number>, same: ArrayLike<boolean | number>, options: BestThresholdOptions = {}): ThresholdAccuracy {
  const criterion = options.criterion ?? 'accuracy';
  if (criterion !== 'accuracy' && criterion !== 'balanced-accuracy') {
    throw new InvalidArgumentError({ fn: 'bestThreshold', argument: 'options.criterion', message: `expected 'accuracy' or 'balanced-accuracy', got ${JSON.stringify(criterion)}.` });
  }
  const ps = toPairScores(values, same, options.kind, 'bestThreshold');
  const n = ps.s.length;
  const order = Array.from(ps.s.keys()).sort((i, j) => ps.s[j]! - ps.s[i]!);
  // Candidate k: accept the pairs with the k largest scores (k at a tie boundary).
  let tp = 0;
  let fp = 0;
  let best = counts(0, 0, 0, ps.positives, ps.negatives);
  let bestScore = -1;
  let bestT = Infinity; // score threshold: accept s ≥ bestT
  const consider = (t: number) => {
    const c = counts(0, tp, fp, ps.positives, ps.negatives);
    const v = criterion === 'accuracy' ? c.accuracy : c.balancedAccuracy;
    if (v > bestScore) {
      bestScore = v;
      best = c;
      bestT = t;
    }
  };
  consider(n ? ps.s[order[0]!]! + 1 : Infinity);
  for (let k = 0; k < n; ) {
    const v = ps.s[order[k]!]!;
    while (k < n && ps.s[order[k]!]! === v) {
      if (ps.y[order[k]!]) tp++;
      else fp++;
      k++;
    }
    const next = k < n ? ps.s[order[k]!]! : v - 1;
    consider((v + next) / 2);
  }
  return { ...best, threshold: ps.toUser(bestT) };
}
