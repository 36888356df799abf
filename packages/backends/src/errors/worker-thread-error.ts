import { LikenessError } from './likeness-error';

const marker = 'likeness.error.worker-thread';
const symbol = Symbol.for(marker);

/**
 * Work that a public function ran on a worker thread failed: the thread
 * threw, ran out of memory or exited. The message names the function and the
 * thread, says what the thread reported and what to do; the call is
 * abandoned (nothing the caller owns was changed) and `cause` holds what the
 * thread reported.
 *
 * @example
 * ```ts
 * try {
 *   await index.searchAsync(queries, 10);
 * } catch (e) {
 *   if (WorkerThreadError.isInstance(e)) console.warn(e.fn, e.thread, e.message); // retry, or search() on this thread
 *   else throw e;
 * }
 * ```
 */
export class WorkerThreadError extends LikenessError {
  private readonly [symbol] = true;
  /** The public function whose work failed, e.g. `'ExactIndex.searchAsync'`. */
  readonly fn: string;
  /** Which of the function's worker threads failed, counted from 1. */
  readonly thread: number;
  /** How many worker threads the function was running. */
  readonly threads: number;

  constructor(opts: { fn: string; thread: number; threads: number; message: string; cause?: unknown }) {
    super({
      name: 'LikenessWorkerThreadError',
      code: 'LIKENESS_WORKER_THREAD',
      message: `${opts.fn}: worker thread ${opts.thread} of ${opts.threads} failed: ${opts.message}`,
      cause: opts.cause,
    });
    this.fn = opts.fn;
    this.thread = opts.thread;
    this.threads = opts.threads;
  }

  /**
   * Whether `error` is a WorkerThreadError, also when it comes from another copy of
   * the package (where `instanceof` is false).
   */
  static override isInstance(error: unknown): error is WorkerThreadError {
    return LikenessError.hasMarker(error, marker);
  }
}
