import { readFile } from 'node:fs/promises';
import { GalleryFormatError } from '../errors/gallery-format-error';
import type { Gallery } from '../gallery/gallery';
import { deserializeGallery, serializeGallery } from '../gallery/gallery-file';
import { writeFileAtomic } from './write-file-atomic';

/**
 * Saves a gallery atomically: a crash mid-save leaves the old file or the
 * new one, never a broken one.
 *
 * @example
 * ```ts
 * await saveGallery(gallery, './faces.lkgl');
 * ```
 */
export async function saveGallery(gallery: Gallery, path: string): Promise<void> {
  await writeFileAtomic(path, await serializeGallery(gallery));
}

/**
 * Loads a gallery saved by {@link saveGallery}; typed errors for missing,
 * truncated, corrupted or other-version files (the file is never modified).
 *
 * @example
 * ```ts
 * const gallery = await loadGallery('./faces.lkgl');
 * ```
 */
export async function loadGallery(path: string): Promise<Gallery> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    throw new GalleryFormatError({ source: path, message: `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); check the path.`, cause: e });
  }
  return deserializeGallery(bytes, { source: path });
}
