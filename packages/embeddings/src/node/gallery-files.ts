import { readFile } from 'node:fs/promises';
import { GalleryFormatError } from '../errors/gallery-format-error';
import type { Gallery } from '../gallery/gallery';
import type { GalleryStoreV2 } from '../gallery/gallery-store';
import { importGallery, type ImportGalleryOptions, type ImportGalleryResult } from '../gallery/import-gallery';
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

/**
 * Imports a `.lkgl` gallery file into a store (see `importGallery`); the
 * file is only read.
 *
 * @example
 * ```ts
 * const store = await pgliteGalleryStore({ dataDir: './faces', dimension: 128 });
 * await importGalleryFile('./faces.lkgl', store); // → { entries, identities, metadataKeys }
 * ```
 */
export async function importGalleryFile(path: string, to: GalleryStoreV2 | Gallery, options: Omit<ImportGalleryOptions, 'source'> = {}): Promise<ImportGalleryResult> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    throw new GalleryFormatError({ source: path, message: `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); check the path.`, cause: e });
  }
  return importGallery(bytes, to, { ...options, source: path });
}
