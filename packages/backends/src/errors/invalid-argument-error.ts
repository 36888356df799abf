import { LikenessError } from './likeness-error';

const marker = 'likeness.error.invalid-argument';
const symbol = Symbol.for(marker);

/**
 * A public function got an argument it cannot use. The message names the
 * function and the argument and says what to pass instead.
 */
export class InvalidArgumentError extends LikenessError {
  private readonly [symbol] = true;
  /** The parameter's name, e.g. `'images'` or `'options.margin'`. */
  readonly argument: string;
  /** The public function that refused it, e.g. `'gramMatrix'`. */
  readonly fn: string;

  constructor(opts: { fn: string; argument: string; message: string; cause?: unknown }) {
    super({
      name: 'LikenessInvalidArgumentError',
      code: 'LIKENESS_INVALID_ARGUMENT',
      message: `${opts.fn}: invalid \`${opts.argument}\`: ${opts.message}`,
      cause: opts.cause,
    });
    this.argument = opts.argument;
    this.fn = opts.fn;
  }

  /**
   * Whether `error` is a InvalidArgumentError, also when it comes from another copy of
   * the package (where `instanceof` is false).
   */
  static override isInstance(error: unknown): error is InvalidArgumentError {
    return LikenessError.hasMarker(error, marker);
  }
}
