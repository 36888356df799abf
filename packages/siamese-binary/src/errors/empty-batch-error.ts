import { LikenessError } from '@likeness/backends';

const marker = 'likeness.error.empty-batch';
const symbol = Symbol.for(marker);

/** A function got zero pairs (or zero images) where it needs at least one. */
export class EmptyBatchError extends LikenessError {
  private readonly [symbol] = true;
  /** The function that refused the input. */
  readonly fn: string;
  /** The argument at fault. */
  readonly argument: string;

  constructor(opts: { fn: string; argument: string; hint?: string }) {
    super({
      name: 'LikenessEmptyBatchError',
      code: 'LIKENESS_EMPTY_BATCH',
      message: `${opts.fn}: \`${opts.argument}\` is empty; pass at least one pair.${opts.hint ? ' ' + opts.hint : ''}`,
    });
    this.fn = opts.fn;
    this.argument = opts.argument;
  }

  /**
   * Whether `error` is a EmptyBatchError, also when it comes from another copy of
   * the package (where `instanceof` is false).
   */
  static override isInstance(error: unknown): error is EmptyBatchError {
    return LikenessError.hasMarker(error, marker);
  }
}
