import { rocAuc } from './roc-auc';
import { rocCurve, type PairValueOptions, type RocCurve } from './roc-curve';
import { equalErrorRate } from './equal-error-rate';
import { tarAtFar, type TarAtFar } from './tar-at-far';

/** Everything {@link verificationReport} measures on labelled pairs. */
export interface VerificationReport {
  /**
   * Area under the ROC curve, in [0, 1]: the probability that a same-person
   * pair is ranked more alike than a different-person pair, ties counting half
   * (as {@link rocAuc}).
   */
  readonly auc: number;
  /** Equal error rate, in [0, 1]: where FAR = 1 − TAR, interpolated (as {@link equalErrorRate}). */
  readonly eer: number;
  /** A threshold near the EER, in the caller's units (distance or similarity). */
  readonly eerThreshold: number;
  /** TAR at FAR = 1e-2. */
  readonly tarAtFar1e2: TarAtFar;
  /** TAR at FAR = 1e-3. */
  readonly tarAtFar1e3: TarAtFar;
  /** The full ROC curve (as {@link rocCurve}), e.g. to plot with {@link rocSvg}. */
  readonly roc: RocCurve;
  /** Number of same-person pairs. */
  readonly positives: number;
  /** Number of different-person pairs. */
  readonly negatives: number;
}

/**
 * ROC, AUC (ties half), EER and TAR at FAR 1e-2 / 1e-3 of labelled pairs in one call.
 *
 * @example
 * ```ts
 * const r = verificationReport(d, same); // d [P] distances, same [P]
 * console.log(r.auc, r.eer, r.tarAtFar1e3.tar);
 * ```
 */
export function verificationReport(values: ArrayLike<number>, same: ArrayLike<boolean | number>, options: PairValueOptions = {}): VerificationReport {
  const roc = rocCurve(values, same, options);
  const e = equalErrorRate(values, same, options);
  return {
    auc: rocAuc(values, same, options),
    eer: e.eer,
    eerThreshold: e.threshold,
    tarAtFar1e2: tarAtFar(values, same, 1e-2, options),
    tarAtFar1e3: tarAtFar(values, same, 1e-3, options),
    roc,
    positives: roc.positives,
    negatives: roc.negatives,
  };
}
