import { toPairScores } from '../internal/pair-scores';

/** Options shared by the calibration functions. */
export interface PairValueOptions {
  /**
   * `'distance'`: lower means same person, a pair is accepted when
   * value ≤ threshold. `'similarity'` (e.g. a siamese head's probability):
   * higher means same, accepted when value ≥ threshold.
   * @defaultValue `'distance'`
   */
  kind?: 'distance' | 'similarity';
}

/** A ROC curve: one point per distinct threshold, from (0,0) to (1,1). */
export interface RocCurve {
  /** False accept rate (different-person pairs accepted) of each point, non-decreasing. */
  readonly far: number[];
  /** True accept rate (same-person pairs accepted) of each point, non-decreasing. */
  readonly tar: number[];
  /**
   * The threshold giving each point, in the caller's units (`±Infinity` at
   * the ends): accept when distance ≤ threshold (or similarity ≥ threshold).
   */
  readonly thresholds: number[];
  /** Number of same-person pairs (the denominator of `tar`). */
  readonly positives: number;
  /** Number of different-person pairs (the denominator of `far`). */
  readonly negatives: number;
}

/**
 * ROC curve of labelled pairs: for every distinct value used as the
 * threshold, the fraction of same-person pairs accepted (TAR) and of
 * different-person pairs accepted (FAR).
 *
 * @example
 * ```ts
 * // d [P] distances of P pairs, same [P] booleans
 * const roc = rocCurve(d, same);            // roc.far, roc.tar, roc.thresholds: [≤ P+1]
 * const rocP = rocCurve(p, same, { kind: 'similarity' }); // probabilities, higher = same
 * ```
 */
export function rocCurve(values: ArrayLike<number>, same: ArrayLike<boolean | number>, options: PairValueOptions = {}): RocCurve {
  const ps = toPairScores(values, same, options.kind, 'rocCurve');
  return rocFromScores(ps.s, ps.y, ps.positives, ps.negatives, ps.toUser);
}

/** @internal */
export function rocFromScores(
  s: Float64Array, y: Uint8Array, positives: number, negatives: number, toUser: (t: number) => number,
): RocCurve {
  const order = Array.from(s.keys()).sort((i, j) => s[j]! - s[i]!);
  const far = [0];
  const tar = [0];
  const thresholds = [toUser(Infinity)];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; ) {
    const v = s[order[k]!]!;
    while (k < order.length && s[order[k]!]! === v) {
      if (y[order[k]!]) tp++;
      else fp++;
      k++;
    }
    far.push(negatives ? fp / negatives : 0);
    tar.push(positives ? tp / positives : 0);
    thresholds.push(toUser(v));
  }
  return { far, tar, thresholds, positives, negatives };
}
