const marker = 'likeness.error';
const symbol = Symbol.for(marker);

/**
 * Base class of every error thrown by a likeness package.
 *
 * `LikenessError.isInstance(e)` works across duplicated copies of the
 * package, where `instanceof` does not.
 */
export class LikenessError extends Error {
  private readonly [symbol] = true;
  /** Stable machine-readable code, e.g. `'LIKENESS_INVALID_ARGUMENT'`. */
  readonly code: string;

  constructor(opts: { name: string; code: string; message: string; cause?: unknown }) {
    super(opts.message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = opts.name;
    this.code = opts.code;
  }

  /**
   * Whether `error` is a LikenessError, also when it comes from another copy of
   * the package (where `instanceof` is false).
   */
  static isInstance(error: unknown): error is LikenessError {
    return LikenessError.hasMarker(error, marker);
  }

  /** Whether `error` carries the marker `m` that a likeness error class sets (`Symbol.for(m)`); subclasses build `isInstance` on it. */
  protected static hasMarker(error: unknown, m: string): boolean {
    const s = Symbol.for(m);
    return error != null && typeof error === 'object' && s in error && (error as Record<symbol, unknown>)[s] === true;
  }
}
