import { readFile } from 'node:fs/promises';
import { createGallery, deserializeGallery, GalleryFormatError, serializeGallery, type Gallery } from '@likeness/embeddings';
import { writeFileAtomic } from '@likeness/embeddings/node';
import { CliError, EXIT } from './errors';

// Serialisation comes from the main entry (not /node's saveGallery/loadGallery)
// so that the Gallery class checked by serializeGallery is the one createGallery
// made: the two entries' builds each carry their own copy of the class.

/**
 * Opens a gallery file (`@likeness/embeddings`' versioned, checksummed
 * format); a missing file gives `undefined`. The caller disposes the gallery.
 *
 * @throws CliError(EXIT.gallery) with the library's message for a damaged,
 *   truncated or other-version file, or one whose embeddings are not `dimension` long.
 *
 * @example
 * ```ts
 * const gallery = await openGallery('faces.lkgl', 128); // Gallery | undefined
 * ```
 */
export async function openGallery(path: string, dimension: number): Promise<Gallery | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot read gallery ${path}: ${(error as Error).message}`, EXIT.gallery, { cause: error });
  }
  let gallery: Gallery;
  try {
    gallery = deserializeGallery(bytes, { source: path });
  } catch (error) {
    if (GalleryFormatError.isInstance(error)) throw new CliError(`${(error as Error).message} (or enrol into a new file)`, EXIT.gallery, { cause: error });
    throw error;
  }
  if (gallery.metric !== 'l2' || ((await gallery.count()) > 0 && gallery.dimension !== dimension)) {
    const what = `${gallery.dimension}-dimensional embeddings compared by ${gallery.metric}`;
    gallery.dispose();
    throw new CliError(`${path} holds ${what}; this CLI makes ${dimension}-dimensional face embeddings compared by l2: enrol into a new gallery file`, EXIT.gallery);
  }
  return gallery;
}

/** A new, empty gallery for `dimension`-long embeddings compared by plain L2. */
export function newGallery(dimension: number): Gallery {
  return createGallery({ metric: 'l2', dimension });
}

/** Writes the gallery atomically (temp file + rename): the old file stays intact until the new one is complete. */
export async function writeGallery(path: string, gallery: Gallery): Promise<void> {
  await writeFileAtomic(path, await serializeGallery(gallery));
}
