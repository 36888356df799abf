import { toPairScores } from '../internal/pair-scores';
import { rocFromScores, type PairValueOptions } from './roc-curve';

/** Result of {@link equalErrorRate}. */
export interface EqualErrorRate {
  /** The rate where false accepts = false rejects, in [0, 1]. */
  readonly eer: number;
  /**
   * A threshold near the EER (the ROC point next to the crossing whose
   * FAR and FRR differ least), in the caller's units.
   */
  readonly threshold: number;
}

/**
 * Equal error rate: the ROC curve's crossing of FAR = 1 − TAR, linearly
 * interpolated between the two ROC points around it.
 *
 * @example
 * ```ts
 * const { eer, threshold } = equalErrorRate(d, same); // d [P] distances, same [P]
 * ```
 */
export function equalErrorRate(values: ArrayLike<number>, same: ArrayLike<boolean | number>, options: PairValueOptions = {}): EqualErrorRate {
  const ps = toPairScores(values, same, options.kind, 'equalErrorRate');
  const roc = rocFromScores(ps.s, ps.y, ps.positives, ps.negatives, ps.toUser);
  // g = FRR − FAR goes from 1 (at (0,0)) to −1 (at (1,1)), non-increasing.
  const g = (i: number) => 1 - roc.tar[i]! - roc.far[i]!;
  let best = 0;
  for (let i = 1; i < roc.far.length; i++) if (Math.abs(g(i)) < Math.abs(g(best))) best = i;
  for (let i = 1; i < roc.far.length; i++) {
    const g0 = g(i - 1);
    const g1 = g(i);
    if (g0 >= 0 && g1 <= 0) {
      const t = g0 === g1 ? 0 : g0 / (g0 - g1);
      const far = roc.far[i - 1]! + t * (roc.far[i]! - roc.far[i - 1]!);
      const frr = 1 - (roc.tar[i - 1]! + t * (roc.tar[i]! - roc.tar[i - 1]!));
      return { eer: (far + frr) / 2, threshold: roc.thresholds[best]! };
    }
  }
  /* c8 ignore next */
  return { eer: (roc.far[best]! + 1 - roc.tar[best]!) / 2, threshold: roc.thresholds[best]! };
}
