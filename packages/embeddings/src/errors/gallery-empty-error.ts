import { LikenessError } from '@likeness/backends';

const marker = 'likeness.error.gallery-empty';
const symbol = Symbol.for(marker);

/** `identify` on a gallery with no enrolled face. */
export class GalleryEmptyError extends LikenessError {
  private readonly [symbol] = true;

  constructor(fn: string) {
    super({ name: 'LikenessGalleryEmptyError', code: 'LIKENESS_GALLERY_EMPTY', message: `${fn}: the gallery is empty; enrol at least one face with gallery.enrol(identity, embedding) first.` });
  }

  /**
   * Whether `error` is a GalleryEmptyError, also when it comes from another copy of
   * the package (where `instanceof` is false).
   */
  static override isInstance(error: unknown): error is GalleryEmptyError {
    return LikenessError.hasMarker(error, marker);
  }
}
