import { rocAuc } from './roc-auc';
import { rocCurve, type PairValueOptions, type RocCurve } from './roc-curve';
import { equalErrorRate } from './equal-error-rate';
import { tarAtFar, type TarAtFar } from './tar-at-far';

/** Everything {@link verificationReport} measures on labelled pairs. */
export interface VerificationReport {
  readonly auc: number;
  readonly eer: number;
  readonly eerThreshold: number;
  /** TAR at FAR = 1e-2. */
  readonly tarAtFar1e2: TarAtFar;
  /** TAR at FAR = 1e-3. */
  readonly tarAtFar1e3: TarAtFar;
  readonly roc: RocCurve;
  readonly positives: number;
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
