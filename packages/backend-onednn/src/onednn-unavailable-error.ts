import { LikenessError } from '@likeness/backends';

const marker = 'likeness.error.onednn-unavailable';
const symbol = Symbol.for(marker);

/** Why the oneDNN backend cannot start here. */
export type OneDnnUnavailableReason = 'platform' | 'not-built' | 'library-missing' | 'library-mismatch';

/**
 * The oneDNN backend cannot start: wrong platform, addon not built, oneDNN
 * (`libdnnl`) not installed, or an addon built for another Node or oneDNN.
 * The message (one line) says what to do; `useBackend()` reports it as the
 * refusal reason and moves on to the next backend.
 *
 * @example
 * ```ts
 * import { loadOneDnn, OneDnnUnavailableError } from '@likeness/backend-onednn';
 * try { loadOneDnn(); } catch (e) { if (OneDnnUnavailableError.isInstance(e)) console.log(e.reason); }
 * ```
 */
export class OneDnnUnavailableError extends LikenessError {
  private readonly [symbol] = true;
  /**
   * Why: `'platform'` (not Node, or not Linux/macOS on x64/arm64), `'not-built'` (no addon: run
   * `build:native`), `'library-missing'` (install oneDNN) or `'library-mismatch'` (an addon built
   * for another Node or oneDNN, or a oneDNN older than 2: rebuild or upgrade).
   */
  readonly reason: OneDnnUnavailableReason;

  constructor(opts: { reason: OneDnnUnavailableReason; message: string; cause?: unknown }) {
    super({ name: 'LikenessOneDnnUnavailableError', code: 'LIKENESS_ONEDNN_UNAVAILABLE', message: opts.message, cause: opts.cause });
    this.reason = opts.reason;
  }

  /**
   * Whether `error` is a OneDnnUnavailableError, also when it comes from another copy of
   * the package (where `instanceof` is false).
   */
  static override isInstance(error: unknown): error is OneDnnUnavailableError {
    return LikenessError.hasMarker(error, marker);
  }
}
