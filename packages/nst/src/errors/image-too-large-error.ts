import { LikenessError } from '@likeness/backends';

const marker = 'likeness.error.image-too-large';
const symbol = Symbol.for(marker);

/** An image whose activations would not fit in the memory budget. */
export class ImageTooLargeError extends LikenessError {
  private readonly [symbol] = true;
  /** The option or argument whose size is too large, e.g. `options.content`. */
  readonly argument: string;
  /** Estimated bytes one value+gradient step needs. */
  readonly estimatedBytes: number;
  /** The budget it was checked against. */
  readonly budgetBytes: number;

  constructor(opts: { fn: string; argument: string; estimatedBytes: number; budgetBytes: number; hint: string }) {
    const mb = (b: number) => `${Math.round(b / 2 ** 20)} MiB`;
    super({
      name: 'LikenessImageTooLargeError',
      code: 'LIKENESS_IMAGE_TOO_LARGE',
      message: `${opts.fn}: \`${opts.argument}\` needs about ${mb(opts.estimatedBytes)} per step, over the ${mb(opts.budgetBytes)} budget. ${opts.hint}`,
    });
    this.argument = opts.argument;
    this.estimatedBytes = opts.estimatedBytes;
    this.budgetBytes = opts.budgetBytes;
  }

  /**
   * Whether `error` is a ImageTooLargeError, also when it comes from another copy of
   * the package (where `instanceof` is false).
   */
  static override isInstance(error: unknown): error is ImageTooLargeError {
    return LikenessError.hasMarker(error, marker);
  }
}
