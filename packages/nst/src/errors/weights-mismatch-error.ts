import { LikenessError } from '@likeness/backends';

const marker = 'likeness.error.weights-mismatch';
const symbol = Symbol.for(marker);

/**
 * A weights manifest that does not fit the architecture: a missing tensor,
 * a tensor of the wrong shape, or a topology with an unsupported layer.
 */
export class WeightsMismatchError extends LikenessError {
  private readonly [symbol] = true;
  /** The weight (or layer) that did not fit, e.g. `'block1_conv1/kernel'`. */
  readonly weight: string;

  constructor(opts: { weight: string; message: string }) {
    super({ name: 'LikenessWeightsMismatchError', code: 'LIKENESS_WEIGHTS_MISMATCH', message: opts.message });
    this.weight = opts.weight;
  }

  /**
   * Whether `error` is a WeightsMismatchError, also when it comes from another copy of
   * the package (where `instanceof` is false).
   */
  static override isInstance(error: unknown): error is WeightsMismatchError {
    return LikenessError.hasMarker(error, marker);
  }
}
