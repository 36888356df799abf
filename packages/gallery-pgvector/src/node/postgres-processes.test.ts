import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGallery } from '@likeness/embeddings';
import { startLoopbackServer, type LoopbackServer } from '../../test/pg-server';
import { pkg, runChild } from '../../test/run-child';
import { postgresGalleryStore } from './postgres-gallery-store';

// Separate processes talking the Postgres wire protocol to one server: PGlite
// behind @electric-sql/pglite-socket on a loopback port (started here, one
// session at a time), and a real PostgreSQL server with pgvector when
// LIKENESS_PG_URL is set (there the writers really run at once).
beforeAll(() => {
  // The children load @likeness/embeddings from its build (plain Node cannot run tfjs-core's source).
  if (!existsSync(join(pkg, '../embeddings/dist/index.js'))) throw new Error('build @likeness/embeddings first (pnpm build): the child processes import its dist');
});

let server: LoopbackServer;
describe('PGlite over a loopback socket', () => {
  beforeAll(async () => {
    server = await startLoopbackServer();
  });
  afterAll(async () => {
    await server?.stop();
  });
  describeProcesses(() => server.url, 'likeness_gallery');
});

const realUrl = process.env['LIKENESS_PG_URL'];
describe.skipIf(!realUrl)('real PostgreSQL server (LIKENESS_PG_URL)', () => {
  const prefix = `likeness_test_${process.pid}_p`;
  describeProcesses(() => realUrl!, prefix);
  afterAll(async () => {
    const c = new pg.Client({ connectionString: realUrl });
    await c.connect();
    const t = await c.query<{ n: string }>(`SELECT tablename AS n FROM pg_tables WHERE tablename LIKE $1`, [`${prefix}%`]);
    for (const { n } of t.rows) await c.query(`DROP TABLE IF EXISTS ${n}`);
    await c.end();
  });
});

function describeProcesses(url: () => string, prefix: string): void {
  const open = (tenant: string) => postgresGalleryStore({ connectionString: url(), maxConnections: 1, dimension: 8, tenant, tablePrefix: prefix });
  const childEnv = (tenant: string) => ({ CHILD_TENANT: tenant, CHILD_PREFIX: prefix });

  describe('one server, several processes (wire protocol)', () => {
    it('two processes enrolling at once, each over two connections: nothing is lost', async () => {
      const env = childEnv('concurrent');
      const a = runChild(['pg-enrol', url(), 'alice', '6', '20'], env);
      const b = runChild(['pg-enrol', url(), 'bob', '6', '20'], env);
      const [ra, rb] = await Promise.all([a.done, b.done]);
      expect(ra.lines).toEqual([{ ok: true }]);
      expect(rb.lines).toEqual([{ ok: true }]);
      const g = createGallery({ store: await open('concurrent') });
      expect(await g.count()).toBe(240);
      expect((await g.entriesOf('alice')).length).toBe(120);
      expect((await g.entriesOf('bob')).length).toBe(120);
      // every stored vector is one the children wrote (no torn or mixed rows)
      const entries = await g.backingStore!.doEntries();
      const expected = new Set<string>();
      for (let b = 0; b < 6; b++) for (let i = 0; i < 20; i++) expected.add(Array.from({ length: 8 }, (_, k) => Math.fround(Math.sin((b * 1000 + i) * 7 + k)).toFixed(5)).join(','));
      for (const e of entries) expect(expected.has(Array.from(e.embedding, (x) => x.toFixed(5)).join(','))).toBe(true);
      await g.close();
    });

    it('kill -9 of a client inside a bulk enrol transaction: the server keeps the committed entries and none of that transaction, and stays writable', async () => {
      const r = await runChild(['pg-crash', url()], childEnv('crash')).done;
      expect(r.signal).toBe('SIGKILL');
      expect(r.lines).toEqual([{ killing: true }]); // killed after 2 of the 3 bulk statements of one transaction
      const g = createGallery({ store: await open('crash') });
      expect(await g.count()).toBe(10);
      expect(await g.identities()).toEqual(['committed']);
      await g.enrol('after', [[1, 1, 1, 1, 1, 1, 1, 1]]);
      expect(await g.count()).toBe(11);
      await g.close();
      // and no transaction was left open on the server by the dead client
      const c = new pg.Client({ connectionString: url() });
      await c.connect();
      const n = await c.query<{ n: string }>(`SELECT count(*) AS n FROM ${prefix}_d8 WHERE tenant = 'crash' AND identity = 'lost'`);
      expect(Number(n.rows[0]!.n)).toBe(0);
      await c.end();
    });
  });
}
