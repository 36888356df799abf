import { LikenessError } from './likeness-error';

const marker = 'likeness.error.no-backend-available';
const symbol = Symbol.for(marker);

/** One backend that `useBackend` tried and could not use, with the reason. */
export interface BackendFailure {
  /** The backend's name, as in the preference list. */
  name: string;
  /** Why it could not be used, in one line (not registered, not supported here, its initialisation threw …). */
  reason: string;
  /** What its initialisation threw, when it threw. */
  error?: unknown;
}

/** No backend in the preference list could be initialised. Lists every failure. */
export class NoBackendAvailableError extends LikenessError {
  private readonly [symbol] = true;
  /** Every backend tried, in the order tried, with why it failed. */
  readonly failures: readonly BackendFailure[];

  constructor(failures: BackendFailure[]) {
    const lines = failures.map((f) => `  [${f.name}] ${f.reason}`).join('\n');
    super({
      name: 'LikenessNoBackendAvailableError',
      code: 'LIKENESS_NO_BACKEND_AVAILABLE',
      message:
        `No backend could be initialised:\n${lines}\n` +
        `Import a backend entry point before calling useBackend() (e.g. \`import '@likeness/backends/wasm'\`), ` +
        `or pass a preference list that names a registered backend.`,
    });
    this.failures = failures;
  }

  /**
   * Whether `error` is a NoBackendAvailableError, also when it comes from another copy of
   * the package (where `instanceof` is false).
   */
  static override isInstance(error: unknown): error is NoBackendAvailableError {
    return LikenessError.hasMarker(error, marker);
  }
}
