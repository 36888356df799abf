import { LikenessError } from './likeness-error';

const marker = 'likeness.error.shape';
const symbol = Symbol.for(marker);

/** A tensor argument has the wrong rank, size, channel count or contents. */
export class ShapeError extends LikenessError {
  private readonly [symbol] = true;
  /** The parameter's name, as the message shows it (e.g. `images`, `options.mask`). */
  readonly argument: string;
  /** The public function that refused the argument. */
  readonly fn: string;
  /** What the argument must be, in words (e.g. `a 4-D tensor [n,h,w,3]`). */
  readonly expected: string;
  /** The shape it had, or a description of what was wrong with its contents. */
  readonly actual: readonly number[] | string;

  constructor(opts: { fn: string; argument: string; expected: string; actual: readonly number[] | string; hint?: string }) {
    const actual = typeof opts.actual === 'string' ? opts.actual : `[${opts.actual.join(',')}]`;
    super({
      name: 'LikenessShapeError',
      code: 'LIKENESS_SHAPE',
      message: `${opts.fn}: \`${opts.argument}\` must be ${opts.expected}, got ${actual}.${opts.hint ? ' ' + opts.hint : ''}`,
    });
    this.argument = opts.argument;
    this.fn = opts.fn;
    this.expected = opts.expected;
    this.actual = opts.actual;
  }

  /**
   * Whether `error` is a ShapeError, also when it comes from another copy of
   * the package (where `instanceof` is false).
   */
  static override isInstance(error: unknown): error is ShapeError {
    return LikenessError.hasMarker(error, marker);
  }
}
