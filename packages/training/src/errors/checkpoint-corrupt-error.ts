import { LikenessError } from '@likeness/backends';

const marker = 'likeness.error.checkpoint-corrupt';
const symbol = Symbol.for(marker);

/** A checkpoint that reads back wrong (broken JSON, truncated binary, wrong shapes). */
export class CheckpointCorruptError extends LikenessError {
  private readonly [symbol] = true;
  /** The file or key at fault. */
  readonly path: string;

  constructor(opts: { path: string; message: string; cause?: unknown }) {
    super({ name: 'LikenessCheckpointCorruptError', code: 'LIKENESS_CHECKPOINT_CORRUPT', message: opts.message, cause: opts.cause });
    this.path = opts.path;
  }

  /**
   * Whether `error` is a CheckpointCorruptError, also when it comes from another copy of
   * the package (where `instanceof` is false).
   */
  static override isInstance(error: unknown): error is CheckpointCorruptError {
    return LikenessError.hasMarker(error, marker);
  }
}
