/**
 * The CLI's galleries. `-g <path>` names
 *
 * - a **gallery folder** (the default, e.g. `faces.gallery`): a PGlite
 *   database with pgvector (`@likeness/gallery-pgvector/node`), created on
 *   the first enrolment, written in transactions, locked against a second
 *   process while open (others wait a bounded time, then exit 8);
 * - or a **`.lkgl` file** (`@likeness/embeddings`' file format, written by
 *   earlier versions): read-only. `identify` reads it as before; `enrol`
 *   refuses it and says how to import it (`likeness gallery import`).
 *
 * An existing regular file, or a missing path ending in `.lkgl`, is a file;
 * anything else is a folder.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { createGallery, deserializeGallery, GalleryFormatError, GalleryStoreError, type Gallery } from '@likeness/embeddings';
import { CliError, EXIT } from './errors';
import { ensureParent } from './output-path';

/** The length of the recognizer's descriptors (the dlib ResNet's 128). */
export const EMBEDDING_SIZE = 128;

/** The extension of the read-only gallery files. */
export const GALLERY_FILE_EXTENSION = '.lkgl';

/** What `-g` names. */
export type GalleryKind = 'folder' | 'file';

/** Whether `path` is a gallery folder (PGlite) or a `.lkgl` file (see the module comment). */
export async function galleryKind(path: string): Promise<GalleryKind> {
  const info = await stat(path).catch(() => undefined);
  if (info) return info.isFile() ? 'file' : 'folder';
  return extname(path).toLowerCase() === GALLERY_FILE_EXTENSION ? 'file' : 'folder';
}

/** Whether a gallery folder holds a database already (a missing or empty folder does not). */
export async function galleryFolderExists(path: string): Promise<boolean> {
  const names = await readdir(path).catch(() => [] as string[]);
  return names.length > 0;
}

/** How long a command waits for another process's lock on a gallery folder (ms); `LIKENESS_LOCK_WAIT_MS` overrides it. */
export const LOCK_WAIT_MS = 120_000;

function lockWaitMs(): number {
  const ms = Number(process.env.LIKENESS_LOCK_WAIT_MS ?? LOCK_WAIT_MS);
  return Number.isFinite(ms) && ms >= 0 ? ms : LOCK_WAIT_MS;
}

/**
 * Opens (creating it when missing) the gallery folder `path`: 128-d
 * embeddings compared by plain L2, in PGlite with pgvector. The folder is
 * locked until the gallery is closed (`await gallery.close()`): open it
 * for as short a time as possible.
 *
 * @throws CliError(EXIT.busy) when another process kept it open past the bounded wait,
 *   CliError(EXIT.gallery) for a folder that is not a gallery (or a damaged one, or one of other embeddings).
 *
 * @example
 * ```ts
 * const gallery = await openGalleryFolder('faces.gallery');
 * try { await gallery.enrol('ada', descriptor); } finally { await gallery.close(); }
 * ```
 */
export async function openGalleryFolder(path: string): Promise<Gallery> {
  await ensureParent(path);
  const waitMs = lockWaitMs();
  try {
    // Loaded here, not at start-up: commands without a gallery (verify, stylize, usage errors) never load PGlite.
    const { pgliteGalleryStore } = await import('@likeness/gallery-pgvector/node');
    const store = await pgliteGalleryStore({ dataDir: path, dimension: EMBEDDING_SIZE, metric: 'l2', lockTimeoutMs: waitMs });
    return createGallery({ store });
  } catch (error) {
    if (GalleryStoreError.isInstance(error)) {
      if (error.reason === 'locked') {
        throw new CliError(
          `gallery ${path} is in use by another likeness process (${resolve(path)}.lock) and stayed locked for ${Number((waitMs / 1000).toFixed(1))} s: try again; delete ${path}.lock only if no likeness process is running`,
          EXIT.busy,
          { cause: error },
        );
      }
      throw new CliError(`gallery ${path} cannot be used: ${error.message.replace(/^gallery store \([^)]*\): /, '')}`, EXIT.gallery, { cause: error });
    }
    throw error;
  }
}

/**
 * Reads a `.lkgl` gallery file (`@likeness/embeddings`' versioned,
 * checksummed format; never written by the CLI any more); a missing file
 * gives `undefined`. The caller disposes the gallery.
 *
 * @throws CliError(EXIT.gallery) with the library's message for a damaged,
 *   truncated, empty or other-version file, or one whose embeddings are not {@link EMBEDDING_SIZE} long.
 *
 * @example
 * ```ts
 * const gallery = await openGalleryFile('faces.lkgl'); // Gallery | undefined
 * ```
 */
export async function openGalleryFile(path: string): Promise<Gallery | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot read gallery ${path}: ${(error as Error).message}`, EXIT.gallery, { cause: error });
  }
  if (bytes.length === 0) {
    throw new CliError(`gallery ${path} is an empty file (0 bytes), not a gallery: delete it, or enrol into a gallery folder`, EXIT.gallery);
  }
  let gallery: Gallery;
  try {
    gallery = deserializeGallery(bytes, { source: path });
  } catch (error) {
    if (GalleryFormatError.isInstance(error)) {
      throw new CliError(`${(error as Error).message.replace(/\.\s*$/, '')}, or enrol into a gallery folder`, EXIT.gallery, { cause: error });
    }
    throw error;
  }
  if (gallery.metric !== 'l2' || ((await gallery.count()) > 0 && gallery.dimension !== EMBEDDING_SIZE)) {
    const what = `${gallery.dimension}-dimensional embeddings compared by ${gallery.metric}`;
    gallery.dispose();
    throw new CliError(`${path} holds ${what}; this CLI makes ${EMBEDDING_SIZE}-dimensional face embeddings compared by l2: enrol into a new gallery folder`, EXIT.gallery);
  }
  return gallery;
}

/** A folder name for importing `file` (`faces.lkgl` → `faces.gallery`), for messages. */
export function suggestedFolder(file: string): string {
  return extname(file).toLowerCase() === GALLERY_FILE_EXTENSION ? `${file.slice(0, -GALLERY_FILE_EXTENSION.length)}.gallery` : `${file}.gallery`;
}

/** The error for writing into a `.lkgl` file: they are read-only; import them. */
export function readOnlyFileError(file: string): CliError {
  const folder = suggestedFolder(file);
  return new CliError(
    `${file} is a gallery file, which likeness only reads now; galleries are folders: run \`likeness gallery import ${file} -g ${folder}\` once, then use -g ${folder}`,
    EXIT.gallery,
  );
}

