import { LikenessError } from '@likeness/backends';

const marker = 'likeness.error.gallery-format';
const symbol = Symbol.for(marker);

/**
 * A saved gallery that cannot be read: not a gallery file, truncated,
 * corrupted (checksum), or written in another format version. The file is
 * left untouched.
 */
export class GalleryFormatError extends LikenessError {
  private readonly [symbol] = true;
  /** What was being read: the file's path, or the `source` name given to `deserializeGallery` (`'gallery'` by default). */
  readonly source: string;
  /** The file's format version when it could be read. */
  readonly formatVersion: number | undefined;

  constructor(opts: { source: string; message: string; formatVersion?: number; cause?: unknown }) {
    super({ name: 'LikenessGalleryFormatError', code: 'LIKENESS_GALLERY_FORMAT', message: `${opts.source}: ${opts.message}`, cause: opts.cause });
    this.source = opts.source;
    this.formatVersion = opts.formatVersion;
  }

  /**
   * Whether `error` is a GalleryFormatError, also when it comes from another copy of
   * the package (where `instanceof` is false).
   */
  static override isInstance(error: unknown): error is GalleryFormatError {
    return LikenessError.hasMarker(error, marker);
  }
}
