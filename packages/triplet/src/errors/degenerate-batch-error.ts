import { LikenessError } from '@likeness/backends';

const marker = 'likeness.error.degenerate-batch';
const symbol = Symbol.for(marker);

/**
 * Why a batch cannot train an encoder:
 * - `'no-positives'`: no identity has two images in the batch;
 * - `'no-negatives'`: every image has the same identity;
 * - `'non-finite'`: the loss, an embedding or a gradient is NaN/±∞;
 * - `'collapse'`: every embedding is (nearly) the same point.
 */
export type DegenerateBatchReason = 'no-positives' | 'no-negatives' | 'non-finite' | 'collapse';

/**
 * A batch (or a dataset) from which no useful triplet can be learned, or a
 * step whose result would corrupt the weights. The weights are left as they
 * were before the failing step.
 */
export class DegenerateBatchError extends LikenessError {
  private readonly [symbol] = true;
  /** Why the batch cannot train (see {@link DegenerateBatchReason}). */
  readonly reason: DegenerateBatchReason;
  /** The training step (0-based) where it happened, if any. */
  readonly step: number | undefined;

  constructor(opts: { reason: DegenerateBatchReason; message: string; step?: number }) {
    super({
      name: 'LikenessDegenerateBatchError',
      code: 'LIKENESS_DEGENERATE_BATCH',
      message: (opts.step !== undefined ? `step ${opts.step}: ` : '') + opts.message,
    });
    this.reason = opts.reason;
    this.step = opts.step;
  }

  /**
   * Whether `error` is a DegenerateBatchError, also when it comes from another copy of
   * the package (where `instanceof` is false).
   */
  static override isInstance(error: unknown): error is DegenerateBatchError {
    return LikenessError.hasMarker(error, marker);
  }
}
