import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { InvalidArgumentError } from '@likeness/backends';
import { GalleryStoreError } from '@likeness/embeddings';
import { pgliteClient } from './pglite-client';
import { resolveOptions, SqlGalleryStore } from './sql-gallery-store';
import type { PgvectorStoreOptions } from './store-options';

/** Options of {@link pgliteGalleryStore}. */
export interface PgliteGalleryStoreOptions extends PgvectorStoreOptions {
  /**
   * Where the database lives: `'idb://faces'` (IndexedDB, browser),
   * `'memory://'` (nothing persisted), or a folder path (Node: import from
   * `@likeness/gallery-pgvector/node`, which locks the folder). Give either
   * this or `pglite`.
   */
  dataDir?: string;
  /** An open PGlite instance created with the `vector` extension (`@electric-sql/pglite-pgvector`); the store does not close it. */
  pglite?: PGlite;
}

/** @internal Opens PGlite (or adopts the given instance) and the store over it. */
export async function openPglite(fn: string, options: PgliteGalleryStoreOptions, release: () => Promise<void> = async () => {}): Promise<SqlGalleryStore> {
  const o = resolveOptions(fn, options);
  if ((options.dataDir === undefined) === (options.pglite === undefined)) {
    throw new InvalidArgumentError({ fn, argument: 'options.dataDir', message: "give exactly one of dataDir (e.g. './faces-db' or 'idb://faces') or pglite (an open PGlite instance)." });
  }
  let db: PGlite;
  const owned = options.pglite === undefined;
  if (options.pglite) {
    db = options.pglite;
  } else {
    try {
      db = await PGlite.create({ dataDir: options.dataDir!, extensions: { vector } });
    } catch (e) {
      await release();
      throw new GalleryStoreError({ reason: 'corrupt', setting: 'dataDir', message: `${options.dataDir} cannot be opened as a PGlite database (${(e as Error).message ?? String(e)}). It is damaged or written by an incompatible PGlite; restore it from a backup or choose an empty folder. Nothing was changed.`, cause: e });
    }
  }
  const client = pgliteClient(db, owned);
  try {
    return await SqlGalleryStore.open(o, client, client, async () => {
      try {
        await client.close();
      } finally {
        await release();
      }
    });
  } catch (e) {
    await client.close().catch(() => {});
    await release();
    throw e;
  }
}

/**
 * A gallery store in PGlite (Postgres in WebAssembly, in process) with
 * pgvector: the embedded default. In the browser it persists to IndexedDB
 * (`dataDir: 'idb://faces'`); in Node use the same function from
 * `@likeness/gallery-pgvector/node`, which persists to a folder and locks it
 * against a second process. Writes are transactions (an enrolment is all or
 * none). `search: 'exact'` (the default) scans; `'hnsw'` keeps an HNSW index
 * (`vector_l2_ops`/`vector_cosine_ops`).
 *
 * @example
 * ```ts
 * const store = await pgliteGalleryStore({ dataDir: 'idb://faces', dimension: 128 });
 * const gallery = createGallery({ store });
 * await gallery.enrol('alice', descriptors); // [N,128]
 * await gallery.close();
 * ```
 */
export async function pgliteGalleryStore(options: PgliteGalleryStoreOptions): Promise<SqlGalleryStore> {
  const fn = 'pgliteGalleryStore';
  const dir = options?.dataDir;
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  if (isNode && typeof dir === 'string' && !/^(idb|memory|opfs-ahp):\/\//.test(dir)) {
    throw new InvalidArgumentError({ fn, argument: 'options.dataDir', message: `a folder needs the Node entry: import { pgliteGalleryStore } from '@likeness/gallery-pgvector/node' (it locks ${dir} against other processes).` });
  }
  return openPglite(fn, options);
}
