import { LikenessError } from '@likeness/backends';

const marker = 'likeness.error.gallery-store';
const symbol = Symbol.for(marker);

/** Why a gallery store refused to open or to write. */
export type GalleryStoreErrorReason =
  /** The stored gallery was created with another dimension or metric. */
  | 'mismatch'
  /** Another process holds the store (an embedded database folder) and did not release it in time. */
  | 'locked'
  /** The database cannot be reached (connection refused, bad credentials, closed store). */
  | 'unavailable'
  /** The database lacks something the store needs (the pgvector extension, a newer schema). */
  | 'unsupported'
  /** The folder or tables are not a likeness gallery or are damaged. */
  | 'corrupt';

/**
 * A gallery store that cannot be opened or used as asked. `reason` says
 * which case; `setting` names the option at fault (`'dimension'`,
 * `'metric'`, `'dataDir'`, `'connectionString'`, …). Nothing stored is
 * changed when this is thrown.
 *
 * @example
 * ```ts
 * try { await pgliteGalleryStore({ dataDir, dimension: 512 }); }
 * catch (e) { if (GalleryStoreError.isInstance(e) && e.reason === 'mismatch') … }
 * ```
 */
export class GalleryStoreError extends LikenessError {
  private readonly [symbol] = true;
  /** Which case it is (see {@link GalleryStoreErrorReason}); also part of `code`, e.g. `LIKENESS_GALLERY_STORE_MISMATCH`. */
  readonly reason: GalleryStoreErrorReason;
  /** The option or setting at fault. */
  readonly setting: string;

  constructor(opts: { reason: GalleryStoreErrorReason; setting: string; message: string; cause?: unknown }) {
    super({ name: 'LikenessGalleryStoreError', code: `LIKENESS_GALLERY_STORE_${opts.reason.toUpperCase()}`, message: `gallery store (${opts.setting}): ${opts.message}`, cause: opts.cause });
    this.reason = opts.reason;
    this.setting = opts.setting;
  }

  /**
   * Whether `error` is a GalleryStoreError, also when it comes from another copy of
   * the package (where `instanceof` is false).
   */
  static override isInstance(error: unknown): error is GalleryStoreError {
    return LikenessError.hasMarker(error, marker);
  }
}
