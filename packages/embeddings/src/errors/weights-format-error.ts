import { LikenessError } from '@likeness/backends';

const marker = 'likeness.error.weights-format';
const symbol = Symbol.for(marker);

/**
 * A weights file or manifest that cannot be used: corrupted, truncated,
 * missing a tensor, made for another architecture or format version.
 * Nothing is changed when this is thrown: the encoder keeps its weights.
 */
export class WeightsFormatError extends LikenessError {
  private readonly [symbol] = true;
  /** Where the weights came from (a path, a URL or `'memory'`). */
  readonly source: string;

  constructor(opts: { source: string; message: string; cause?: unknown }) {
    super({ name: 'LikenessWeightsFormatError', code: 'LIKENESS_WEIGHTS_FORMAT', message: `${opts.source}: ${opts.message}`, cause: opts.cause });
    this.source = opts.source;
  }

  /**
   * Whether `error` is a WeightsFormatError, also when it comes from another copy of
   * the package (where `instanceof` is false).
   */
  static override isInstance(error: unknown): error is WeightsFormatError {
    return LikenessError.hasMarker(error, marker);
  }
}
