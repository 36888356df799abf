import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidArgumentError } from '@likeness/backends';
import { GalleryStoreError } from '@likeness/embeddings';
import { lockFolder } from './folder-lock';
import { openPglite, type PgliteGalleryStoreOptions } from '../pglite-gallery-store';
import type { SqlGalleryStore } from '../sql-gallery-store';

/** Options of the Node {@link pgliteGalleryStore}. */
export interface PgliteFolderStoreOptions extends PgliteGalleryStoreOptions {
  /**
   * How long to wait for another process to close the same folder before
   * failing with `GalleryStoreError` (`reason: 'locked'`). The lock of a
   * process that died is taken over at once. @defaultValue `15000`
   */
  lockTimeoutMs?: number;
}

/**
 * A gallery store in PGlite with pgvector, persisted to a folder (Node).
 * The folder is locked (`<dataDir>.lock`) while the store is open, so a
 * second process waits up to `lockTimeoutMs` and then gets a
 * `GalleryStoreError` with `reason: 'locked'` rather than corrupting it. A
 * folder that holds something else than a PGlite database is refused
 * (`reason: 'corrupt'`) and left untouched. Also accepts `idb://`,
 * `memory://` and `pglite` like the browser entry.
 *
 * @example
 * ```ts
 * import { pgliteGalleryStore } from '@likeness/gallery-pgvector/node';
 * import { createGallery } from '@likeness/embeddings';
 *
 * const store = await pgliteGalleryStore({ dataDir: './faces-db', dimension: 128, metric: 'l2' });
 * const gallery = createGallery({ store });
 * await gallery.enrol('alice', descriptors);                       // [N,128]
 * const [r] = await gallery.identify(probe, { threshold: 0.6 });   // probe [128]
 * await gallery.close();                                           // releases the folder
 * ```
 */
export async function pgliteGalleryStore(options: PgliteFolderStoreOptions): Promise<SqlGalleryStore> {
  const fn = 'pgliteGalleryStore';
  const dir = options?.dataDir;
  if (typeof dir !== 'string' || /^(idb|memory|opfs-ahp):\/\//.test(dir)) return openPglite(fn, options);
  if (dir.length === 0) throw new InvalidArgumentError({ fn, argument: 'options.dataDir', message: "expected a folder path such as './faces-db'." });
  const timeout = options.lockTimeoutMs ?? 15_000;
  if (!(Number.isFinite(timeout) && timeout >= 0)) throw new InvalidArgumentError({ fn, argument: 'options.lockTimeoutMs', message: `expected milliseconds ≥ 0, got ${String(timeout)}.` });
  const abs = resolve(dir);
  if (existsSync(abs) && !statSync(abs).isDirectory()) {
    throw new GalleryStoreError({ reason: 'corrupt', setting: 'dataDir', message: `${abs} is a file, not a database folder. Choose a folder path (it is created when missing). Nothing was changed.` });
  }
  mkdirSync(abs, { recursive: true });
  const unlock = await lockFolder(abs, timeout);
  const release = async () => unlock();
  try {
    const files = readdirSync(abs);
    if (files.length > 0 && !files.includes('PG_VERSION')) {
      throw new GalleryStoreError({ reason: 'corrupt', setting: 'dataDir', message: `${abs} is not empty and is not a PGlite database (no PG_VERSION). Choose an empty or new folder; nothing in it was changed.` });
    }
    if (files.includes('PG_VERSION') && !existsSync(join(abs, 'global'))) {
      throw new GalleryStoreError({ reason: 'corrupt', setting: 'dataDir', message: `${abs} looks like a damaged Postgres data folder (no global/). Restore it from a backup; nothing was changed.` });
    }
  } catch (e) {
    await release();
    throw e;
  }
  return openPglite(fn, { ...options, dataDir: abs }, release);
}
