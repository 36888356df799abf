import { LikenessError } from '@likeness/backends';

const marker = 'likeness.error.negative-features';
const symbol = Symbol.for(marker);

/**
 * The χ² head got embeddings with negative components: (a − b)² / (a + b)
 * needs a, b ≥ 0. Transform them first with `toNonNegative`.
 */
export class NegativeFeaturesError extends LikenessError {
  private readonly [symbol] = true;
  /** The function that refused the input. */
  readonly fn: string;
  /** The argument at fault. */
  readonly argument: string;
  /** The most negative component found. */
  readonly minimum: number;

  constructor(opts: { fn: string; argument: string; minimum: number }) {
    super({
      name: 'LikenessNegativeFeaturesError',
      code: 'LIKENESS_NEGATIVE_FEATURES',
      message:
        `${opts.fn}: the χ² form needs non-negative features, but \`${opts.argument}\` has a component ${opts.minimum.toPrecision(3)} < 0. ` +
        `Map the embeddings with toNonNegative(e, { method: 'shift' }) (for L2-normalised embeddings) or 'relu'/'square', or use the 'abs' form.`,
    });
    this.fn = opts.fn;
    this.argument = opts.argument;
    this.minimum = opts.minimum;
  }

  /**
   * Whether `error` is a NegativeFeaturesError, also when it comes from another copy of
   * the package (where `instanceof` is false).
   */
  static override isInstance(error: unknown): error is NegativeFeaturesError {
    return LikenessError.hasMarker(error, marker);
  }
}
