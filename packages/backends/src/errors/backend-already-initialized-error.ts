import { LikenessError } from './likeness-error';

const marker = 'likeness.error.backend-already-initialized';
const symbol = Symbol.for(marker);

/**
 * A setting that must be made before a backend starts (wasm paths, thread
 * count), or a backend switch while tensors still live on the old one.
 */
export class BackendAlreadyInitializedError extends LikenessError {
  private readonly [symbol] = true;
  /** The backend that had already started (or still holds tensors). */
  readonly backend: string;

  constructor(opts: { backend: string; message: string }) {
    super({
      name: 'LikenessBackendAlreadyInitializedError',
      code: 'LIKENESS_BACKEND_ALREADY_INITIALIZED',
      message: opts.message,
    });
    this.backend = opts.backend;
  }

  /**
   * Whether `error` is a BackendAlreadyInitializedError, also when it comes from another copy of
   * the package (where `instanceof` is false).
   */
  static override isInstance(error: unknown): error is BackendAlreadyInitializedError {
    return LikenessError.hasMarker(error, marker);
  }
}
