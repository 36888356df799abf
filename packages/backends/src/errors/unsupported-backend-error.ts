import { LikenessError } from './likeness-error';

const marker = 'likeness.error.unsupported-backend';
const symbol = Symbol.for(marker);

/**
 * A plugin backend that cannot be registered: an unknown specification
 * version, or one built against an incompatible tfjs-core.
 */
export class UnsupportedBackendError extends LikenessError {
  private readonly [symbol] = true;
  /** The plugin's name (as its descriptor gives it, or as much of it as could be read). */
  readonly backend: string;
  /**
   * What is wrong: a `specificationVersion` this likeness does not know, a
   * `coreVersion` whose major/minor differs from the running tfjs-core, or a
   * descriptor missing a name or a method.
   */
  readonly reason: 'specification-version' | 'core-version' | 'invalid-descriptor';

  constructor(opts: {
    backend: string;
    reason: 'specification-version' | 'core-version' | 'invalid-descriptor';
    message: string;
  }) {
    super({ name: 'LikenessUnsupportedBackendError', code: 'LIKENESS_UNSUPPORTED_BACKEND', message: opts.message });
    this.backend = opts.backend;
    this.reason = opts.reason;
  }

  /**
   * Whether `error` is a UnsupportedBackendError, also when it comes from another copy of
   * the package (where `instanceof` is false).
   */
  static override isInstance(error: unknown): error is UnsupportedBackendError {
    return LikenessError.hasMarker(error, marker);
  }
}
