import { LikenessError } from '@likeness/backends';

const marker = 'likeness.error.image-too-large';
const symbol = Symbol.for(marker);

/**
 * An image whose header declares more pixels than the decoding budget
 * allows. Thrown from the header alone, before any pixel is decoded or any
 * tensor allocated, so a hostile or huge file cannot exhaust memory.
 */
export class ImageTooLargeError extends LikenessError {
  private readonly [symbol] = true;
  /** The public function that refused the image. */
  readonly fn: string;
  /** The width in pixels the header declares. */
  readonly width: number;
  /** The height in pixels the header declares. */
  readonly height: number;
  /** The budget in pixels (width × height) that it exceeds. */
  readonly maxPixels: number;

  constructor(opts: { fn: string; width: number; height: number; maxPixels: number; source?: string }) {
    super({
      name: 'LikenessImageTooLargeError',
      code: 'LIKENESS_IMAGE_TOO_LARGE',
      message: `${opts.fn}: ${opts.source ? `${opts.source}: ` : ''}the image is ${opts.width}×${opts.height} (${(opts.width * opts.height / 1e6).toFixed(1)} MP), over the decoding budget of ${(opts.maxPixels / 1e6).toFixed(1)} MP; shrink it first or raise options.maxDecodePixels.`,
    });
    this.fn = opts.fn;
    this.width = opts.width;
    this.height = opts.height;
    this.maxPixels = opts.maxPixels;
  }

  /**
   * Whether `error` is a ImageTooLargeError, also when it comes from another copy of
   * the package (where `instanceof` is false).
   */
  static override isInstance(error: unknown): error is ImageTooLargeError {
    return LikenessError.hasMarker(error, marker);
  }
}
