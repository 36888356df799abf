import { readFile } from 'node:fs/promises';
import { CliError, EXIT } from './errors';
import { writeFileAtomic } from './image-io';

/** One enrolled person: a name and one or more face embeddings. */
export interface GalleryPerson {
  name: string;
  embeddings: number[][];
  /** The image each embedding came from. */
  sources: string[];
}

/** The JSON gallery file `enrol` writes and `identify` reads. */
export interface GalleryFile {
  format: 'likeness-gallery';
  version: 1;
  /** The embedder that produced the embeddings (they are only comparable within one). */
  embedder: string;
  embeddingSize: number;
  people: GalleryPerson[];
}

export function emptyGallery(embedder: string, embeddingSize: number): GalleryFile {
  return { format: 'likeness-gallery', version: 1, embedder, embeddingSize, people: [] };
}

/**
 * Reads a gallery file; a missing file gives `undefined` (enrol then starts a new one).
 * @throws CliError(EXIT.gallery) for a file that is not a gallery or is damaged.
 */
export async function readGallery(path: string): Promise<GalleryFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot read gallery ${path}: ${(error as Error).message}`, EXIT.gallery);
  }
  let g: GalleryFile;
  try {
    g = JSON.parse(text) as GalleryFile;
  } catch {
    throw new CliError(`gallery ${path} is not valid JSON; restore it or enrol into a new file`, EXIT.gallery);
  }
  if (g?.format !== 'likeness-gallery' || g.version !== 1 || !Array.isArray(g.people)) {
    throw new CliError(`${path} is not a likeness gallery (format ${JSON.stringify(g?.format)}, version ${JSON.stringify(g?.version)})`, EXIT.gallery);
  }
  for (const p of g.people) {
    if (typeof p.name !== 'string' || !Array.isArray(p.embeddings) || p.embeddings.some((e) => e.length !== g.embeddingSize || e.some((v) => !Number.isFinite(v)))) {
      throw new CliError(`gallery ${path} is damaged (person ${JSON.stringify(p.name)}); restore it or enrol into a new file`, EXIT.gallery);
    }
  }
  return g;
}

/** Writes the gallery atomically: the old file stays intact until the new one is complete. */
export async function writeGallery(path: string, gallery: GalleryFile): Promise<void> {
  const rounded = {
    ...gallery,
    people: gallery.people.map((p) => ({ ...p, embeddings: p.embeddings.map((e) => e.map((v) => Math.round(v * 1e6) / 1e6)) })),
  };
  await writeFileAtomic(path, JSON.stringify(rounded, null, 1) + '\n');
}
