import { InvalidArgumentError } from '@likeness/backends';
import { GalleryStoreError } from '@likeness/embeddings';
import type pg from 'pg';
import { resolveOptions, SqlGalleryStore } from '../sql-gallery-store';
import type { PgvectorStoreOptions } from '../store-options';
import { pgClient } from './pg-client';

/** Options of {@link postgresGalleryStore}. */
export interface PostgresGalleryStoreOptions extends PgvectorStoreOptions {
  /** `postgres://user:pass@host:5432/db`. Give this or `pool`. */
  connectionString?: string;
  /** A `pg.Pool` you own (the store does not end it). */
  pool?: pg.Pool;
  /** A read replica for searches, counts and listings (writes go to the primary). */
  readConnectionString?: string;
  /** A read-replica pool you own. */
  readPool?: pg.Pool;
  /** Connections per pool the store opens itself. @defaultValue `4` */
  maxConnections?: number;
}

/**
 * The same gallery store on a PostgreSQL server with pgvector, through
 * `pg`: the same tables and SQL as `pgliteGalleryStore`, many processes at
 * once, a `tenant` per gallery in one table, and an optional read replica.
 * Connection failures and a server without pgvector raise
 * `GalleryStoreError` (`'unavailable'`, `'unsupported'`).
 *
 * @example
 * ```ts
 * import { postgresGalleryStore } from '@likeness/gallery-pgvector/node';
 * const store = await postgresGalleryStore({ connectionString: process.env.DATABASE_URL, dimension: 128, tenant: 'site-a', search: 'hnsw' });
 * const gallery = createGallery({ store });
 * ```
 */
export async function postgresGalleryStore(options: PostgresGalleryStoreOptions): Promise<SqlGalleryStore> {
  const fn = 'postgresGalleryStore';
  const o = resolveOptions(fn, options);
  if ((options.connectionString === undefined) === (options.pool === undefined)) {
    throw new InvalidArgumentError({ fn, argument: 'options.connectionString', message: "give exactly one of connectionString ('postgres://user:pass@host/db') or pool (a pg.Pool)." });
  }
  if (options.readConnectionString !== undefined && options.readPool !== undefined) {
    throw new InvalidArgumentError({ fn, argument: 'options.readPool', message: 'give at most one of readConnectionString and readPool.' });
  }
  const max = options.maxConnections ?? 4;
  // `pg` is an optional peer dependency: loaded only when the store makes its own pools
  const Pool = options.connectionString !== undefined || options.readConnectionString !== undefined ? await loadPgPool(fn) : undefined;
  const make = (connectionString: string) => {
    const pool = new Pool!({ connectionString, max });
    pool.on('error', () => {}); // idle-client errors surface on the next query instead of crashing the process
    return pool;
  };
  const writePool = options.pool ?? make(options.connectionString!);
  const readPool = options.readPool ?? (options.readConnectionString ? make(options.readConnectionString) : undefined);
  const writer = pgClient(writePool, !options.pool);
  const reader = readPool ? pgClient(readPool, !options.readPool) : writer;
  const closeAll = async () => {
    await writer.close();
    if (reader !== writer) await reader.close();
  };
  try {
    for (const [client, setting] of [[writer, 'connectionString'], [reader, 'readConnectionString']] as const) {
      if (setting === 'readConnectionString' && reader === writer) continue;
      try {
        await client.query('SELECT 1');
      } catch (e) {
        throw new GalleryStoreError({ reason: 'unavailable', setting, message: `cannot reach the server (${(e as Error).message || (e as NodeJS.ErrnoException).code}). Check the host, port, credentials and that the server is running. Nothing was changed.`, cause: e });
      }
    }
    return await SqlGalleryStore.open(o, writer, reader, closeAll);
  } catch (e) {
    await closeAll().catch(() => {});
    throw e;
  }
}

/** `pg`'s Pool, imported on first use so that the `/node` entry loads without `pg` installed. */
async function loadPgPool(fn: string): Promise<typeof pg.Pool> {
  try {
    const mod = (await import('pg')) as { default?: typeof pg } & Partial<typeof pg>;
    return (mod.default ?? (mod as typeof pg)).Pool;
  } catch (e) {
    throw new GalleryStoreError({ reason: 'unavailable', setting: 'connectionString', message: "the 'pg' package is not installed; run `npm install pg` (postgresGalleryStore talks to the server through it).", cause: e });
  }
}
