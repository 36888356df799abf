import { readdir, readFile, rm } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import lockfile from 'proper-lockfile';
import { createGallery, deserializeGallery, GalleryFormatError, serializeGallery, type Gallery } from '@likeness/embeddings';
import { writeFileAtomic } from '@likeness/embeddings/node';
import { CliError, EXIT } from './errors';
import { ensureParent, writeWithFallback } from './output-path';

// Serialisation comes from the main entry (not /node's saveGallery/loadGallery)
// so that the Gallery class checked by serializeGallery is the one createGallery
// made: the two entries' builds each carry their own copy of the class.

/**
 * Opens a gallery file (`@likeness/embeddings`' versioned, checksummed
 * format); a missing file gives `undefined`. The caller disposes the gallery.
 *
 * @throws CliError(EXIT.gallery) with the library's message for a damaged,
 *   truncated, empty or other-version file, or one whose embeddings are not `dimension` long.
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
  if (bytes.length === 0) {
    throw new CliError(`gallery ${path} is an empty file (0 bytes), not a gallery: delete it, or enrol into a new file`, EXIT.gallery);
  }
  let gallery: Gallery;
  try {
    gallery = deserializeGallery(bytes, { source: path });
  } catch (error) {
    if (GalleryFormatError.isInstance(error)) {
      throw new CliError(`${(error as Error).message.replace(/\.\s*$/, '')}, or enrol into a new file`, EXIT.gallery, { cause: error });
    }
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

/**
 * Writes the gallery atomically (temp file + rename): the old file stays
 * intact until the new one is complete. Temp files left by earlier saves that
 * were killed (`<file>.tmp-<pid>-<hex>`) are removed first; call it inside
 * {@link withGalleryLock}, so no other writer's temp file is live. When the
 * write fails, the gallery is saved to a named fallback file (CliError(EXIT.output) says where).
 */
export async function writeGallery(path: string, gallery: Gallery): Promise<void> {
  const bytes = await serializeGallery(gallery);
  await ensureParent(path).catch(() => undefined);
  await removeStaleTempFiles(path);
  await writeWithFallback(path, bytes, writeFileAtomic);
}

/** Deletes `<file>.tmp-<pid>-<hex>` files beside `path` (left by killed saves); returns their names. */
export async function removeStaleTempFiles(path: string): Promise<string[]> {
  const file = resolve(path);
  const prefix = `${basename(file)}.tmp-`;
  const pattern = /^\d+-[0-9a-f]+$/;
  const names = await readdir(dirname(file)).catch(() => [] as string[]);
  const stale = names.filter((n) => n.startsWith(prefix) && pattern.test(n.slice(prefix.length)));
  await Promise.all(stale.map((n) => rm(resolve(dirname(file), n), { force: true })));
  return stale;
}

/** How long {@link withGalleryLock} waits for another process's lock (ms); `LIKENESS_LOCK_WAIT_MS` overrides it. */
export const LOCK_WAIT_MS = 30_000;

/**
 * Runs `fn` (read–modify–write of the gallery file) while holding an
 * inter-process lock on it (proper-lockfile: an atomic `mkdir` of
 * `<file>.lock`, refreshed while held, taken over when stale after 10 s, e.g.
 * after a kill -9; `staleMs`, at least 2000, changes that). Waits at most
 * {@link LOCK_WAIT_MS} for another process.
 *
 * @throws CliError(EXIT.busy) when the lock is still held after the wait.
 *
 * @example
 * ```ts
 * await withGalleryLock('faces.lkgl', async () => { const g = await openGallery(...); ...; await writeGallery(...); });
 * ```
 */
export async function withGalleryLock<T>(path: string, fn: () => Promise<T>, options: { staleMs?: number } = {}): Promise<T> {
  const file = resolve(path);
  await ensureParent(file);
  const waitMs = Number(process.env.LIKENESS_LOCK_WAIT_MS ?? LOCK_WAIT_MS);
  const deadline = Date.now() + (Number.isFinite(waitMs) && waitMs >= 0 ? waitMs : LOCK_WAIT_MS);
  let release: () => Promise<void>;
  for (;;) {
    try {
      release = await lockfile.lock(file, {
        realpath: false,
        stale: options.staleMs ?? 10_000,
        // Only when this process stalled past `stale` while holding the lock; the write itself stays atomic.
        onCompromised: (error) => process.stderr.write(`likeness: warning: lost the lock on ${path} (${error.message})\n`),
      });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      if (Date.now() >= deadline) {
        throw new CliError(
          `gallery ${path} is locked by another likeness process (${path}.lock) and stayed locked for ${Math.round(waitMs / 1000)} s: try again; delete ${path}.lock only if no likeness process is running`,
          EXIT.busy,
          { cause: error },
        );
      }
      await new Promise((r) => setTimeout(r, 25 + Math.random() * 100));
    }
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}
