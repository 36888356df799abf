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

  static isInstance(error: unknown): error is LikenessError {
    return LikenessError.hasMarker(error, marker);
  }

  protected static hasMarker(error: unknown, m: string): boolean {
    const s = Symbol.for(m);
    return error != null && typeof error === 'object' && s in error && (error as Record<symbol, unknown>)[s] === true;
  }
}
