import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createGallery, GalleryStoreError } from '@likeness/embeddings';
import { describeGalleryStoreConformance } from '@likeness/embeddings/testing';
import { startLoopbackServer, type LoopbackServer } from '../../test/pg-server';
import { postgresGalleryStore } from './postgres-gallery-store';

// PGlite served on a loopback socket speaks the real Postgres wire protocol to `pg`.
let server: LoopbackServer;
beforeAll(async () => {
  server = await startLoopbackServer();
});
afterAll(async () => {
  await server?.stop();
});

// The socket server runs one session; one connection per pool keeps transactions apart.
describeGalleryStoreConformance({ name: 'Postgres over a loopback socket (PGlite), exact', persistent: true, open: (tenant, o) => postgresGalleryStore({ connectionString: server.url, maxConnections: 1, tenant, ...o }) });
describeGalleryStoreConformance({ name: 'Postgres over a loopback socket (PGlite), HNSW', persistent: true, metrics: ['cosine'], open: (tenant, o) => postgresGalleryStore({ connectionString: server.url, maxConnections: 1, tenant, search: 'hnsw', ...o }) });

describe('postgresGalleryStore', () => {
  it('reaches its own server (a test that cannot fails here)', async () => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    const r = await client.query<{ v: string }>(`SELECT extversion AS v FROM pg_extension WHERE extname = 'vector' UNION ALL SELECT '-' LIMIT 1`);
    expect(r.rows).toHaveLength(1);
    await client.end();
  });

  it('tenants share one table without seeing each other; reads can go to a separate read pool', async () => {
    const a = createGallery({ store: await postgresGalleryStore({ connectionString: server.url, maxConnections: 1, tenant: 'site-a', dimension: 2 }) });
    const readPool = new pg.Pool({ connectionString: server.url, max: 1 });
    const b = createGallery({ store: await postgresGalleryStore({ connectionString: server.url, readPool, maxConnections: 1, tenant: 'site-b', dimension: 2 }) });
    await a.enrol('alice', [0, 0]);
    await b.enrol('bob', [0, 0]);
    expect(await a.identities()).toEqual(['alice']);
    expect(await b.identities()).toEqual(['bob']);
    const [r] = await b.identify([0, 0], { threshold: 0.1 });
    expect(r!.identity).toBe('bob');
    await a.close();
    await b.close();
    await readPool.query('SELECT 1'); // a pool the caller owns stays open
    await readPool.end();
  });

  it('a refused connection and a server without pgvector are typed errors', async () => {
    await expect(postgresGalleryStore({ connectionString: 'postgres://postgres:postgres@127.0.0.1:1/postgres', dimension: 2 })).rejects.toSatisfy((e: unknown) => GalleryStoreError.isInstance(e) && e.reason === 'unavailable' && e.setting === 'connectionString');
    const bare = await startLoopbackServer({ pgvector: false });
    try {
      await expect(postgresGalleryStore({ connectionString: bare.url, maxConnections: 1, dimension: 2 })).rejects.toSatisfy((e: unknown) => GalleryStoreError.isInstance(e) && e.reason === 'unsupported' && /pgvector/.test(e.message));
    } finally {
      await bare.stop();
    }
  });
});

const realUrl = process.env['LIKENESS_PG_URL'];
if (!realUrl) {
  console.log('[@likeness/gallery-pgvector] real-server conformance skipped: LIKENESS_PG_URL is not set (set it to a postgres:// URL of a server with pgvector to run it).');
}
describe.skipIf(!realUrl)('real PostgreSQL server (LIKENESS_PG_URL)', () => {
  const prefix = `likeness_test_${process.pid}`;
  describeGalleryStoreConformance({ name: 'LIKENESS_PG_URL, exact', persistent: true, open: (tenant, o) => postgresGalleryStore({ connectionString: realUrl!, tablePrefix: prefix, tenant, ...o }) });
  describeGalleryStoreConformance({ name: 'LIKENESS_PG_URL, HNSW', persistent: true, open: (tenant, o) => postgresGalleryStore({ connectionString: realUrl!, tablePrefix: prefix, tenant, search: 'hnsw', ...o }) });
  it('two processes opening a database without the extension at once both get a store (not "no pgvector")', async (ctx) => {
    // CREATE EXTENSION races: the loser got a unique violation on pg_extension_name_index and was told the server had no pgvector
    const admin = new pg.Client({ connectionString: realUrl });
    await admin.connect();
    const role = await admin.query<{ ok: boolean }>(`SELECT rolsuper OR rolcreatedb AS ok FROM pg_roles WHERE rolname = current_user`);
    if (!role.rows[0]?.ok) {
      await admin.end();
      console.log('[@likeness/gallery-pgvector] CREATE EXTENSION race skipped: the LIKENESS_PG_URL role may not create databases.');
      ctx.skip();
    }
    try {
      for (let round = 0; round < 3; round++) {
        const db = `likeness_test_${process.pid}_fresh${round}`;
        await admin.query(`CREATE DATABASE ${db}`);
        try {
          const url = new URL(realUrl!);
          url.pathname = `/${db}`;
          // two pools: two connections racing, as two processes would
          const opened = await Promise.allSettled([0, 1].map(() => postgresGalleryStore({ connectionString: url.toString(), maxConnections: 1, dimension: 2 })));
          for (const o of opened) if (o.status === 'fulfilled') await o.value.close();
          expect(opened.map((o) => (o.status === 'fulfilled' ? 'ok' : String(o.reason)))).toEqual(['ok', 'ok']);
        } finally {
          await admin.query(`DROP DATABASE ${db} WITH (FORCE)`);
        }
      }
    } finally {
      await admin.end();
    }
  });

  afterAll(async () => {
    const c = new pg.Client({ connectionString: realUrl });
    await c.connect();
    const t = await c.query<{ n: string }>(`SELECT tablename AS n FROM pg_tables WHERE tablename LIKE $1`, [`${prefix}%`]);
    for (const { n } of t.rows) await c.query(`DROP TABLE IF EXISTS ${n}`);
    await c.end();
  });
});

// A database where pgvector is absent and cannot be created: a server without pgvector, or a role
// that may not create the extension. Only a person can set one up, so it is opt-in.
const noVectorUrl = process.env['LIKENESS_PG_NO_VECTOR_URL'];
if (!noVectorUrl) {
  console.log('[@likeness/gallery-pgvector] real "no pgvector" check skipped: LIKENESS_PG_NO_VECTOR_URL is not set (a postgres:// URL of a database where the vector extension is absent and cannot be created).');
}
describe.skipIf(!noVectorUrl)('real PostgreSQL database without pgvector (LIKENESS_PG_NO_VECTOR_URL)', () => {
  it('is refused with reason "unsupported", saying what to do, and nothing is created', async () => {
    await expect(postgresGalleryStore({ connectionString: noVectorUrl!, dimension: 2, tablePrefix: 'likeness_novector' })).rejects.toSatisfy(
      (e: unknown) => GalleryStoreError.isInstance(e) && e.reason === 'unsupported' && e.setting === 'extension vector' && /CREATE EXTENSION vector|Install pgvector/.test(e.message),
    );
    const c = new pg.Client({ connectionString: noVectorUrl });
    await c.connect();
    const t = await c.query(`SELECT tablename FROM pg_tables WHERE tablename LIKE 'likeness_novector%'`);
    const ext = await c.query(`SELECT 1 FROM pg_extension WHERE extname = 'vector'`);
    await c.end();
    expect(t.rows).toEqual([]);
    expect(ext.rows).toEqual([]);
  });
});
