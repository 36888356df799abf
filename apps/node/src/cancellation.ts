/**
 * Ctrl-C (SIGINT) handling for the CLI: a command that can stop cleanly
 * (stylize, between iterations) registers a handler; otherwise, and on a
 * second Ctrl-C, the process reports "cancelled" and exits with EXIT.cancelled (130).
 */
import { CliError, EXIT } from './errors';

let handler: (() => void) | null = null;
let installed = false;

/**
 * Calls `fn` on the next Ctrl-C instead of exiting at once; returns the function that unregisters it.
 *
 * @example
 * ```ts
 * const off = onCancel(() => abort.abort());
 * try { await work(abort.signal); } finally { off(); }
 * ```
 */
export function onCancel(fn: () => void): () => void {
  handler = fn;
  return () => {
    if (handler === fn) handler = null;
  };
}

/** The error a cancelled command ends with. */
export function cancelledError(what = 'nothing was written'): CliError {
  return new CliError(`cancelled (Ctrl-C); ${what}`, EXIT.cancelled);
}

/** Installs the process's SIGINT listener once; `report` prints the error (text or --json) before the exit. */
export function installSigint(report: (error: CliError) => void): void {
  if (installed) return;
  installed = true;
  process.on('SIGINT', () => {
    const fn = handler;
    if (fn) {
      handler = null;
      fn();
      return;
    }
    report(cancelledError('stopped before finishing: nothing was written'));
    process.exit(EXIT.cancelled);
  });
}
