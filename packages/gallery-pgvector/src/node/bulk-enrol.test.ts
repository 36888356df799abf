import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GalleryEntry } from '@likeness/embeddings';
import { startLoopbackServer, type LoopbackServer } from '../../test/pg-server';
import { pgliteGalleryStore } from '../pglite-gallery-store';
import type { PgvectorStoreOptions } from '../store-options';
import type { SqlGalleryStore } from '../sql-gallery-store';
import { postgresGalleryStore } from './postgres-gallery-store';

// Bulk enrolment (binary COPY in PGlite, a binary vector[] parameter over the
// wire) against an independent route: one row at a time through a plain text
// INSERT of the vector literal, the way any SQL client writes it.

let db: PGlite;
let server: LoopbackServer;
let wire: pg.Client;
beforeAll(async () => {
  db = await PGlite.create({ extensions: { vector } });
  server = await startLoopbackServer();
  wire = new pg.Client({ connectionString: server.url });
  await wire.connect();
});
afterAll(async () => {
  await wire?.end();
  await server?.stop();
  await db?.close();
});

interface Backend {
  name: string;
  open(o: PgvectorStoreOptions): Promise<SqlGalleryStore>;
  sql<R>(text: string, params?: unknown[]): Promise<R[]>;
}
const backends: Backend[] = [
  { name: 'PGlite (binary COPY)', open: (o) => pgliteGalleryStore({ pglite: db, ...o }), sql: async (t, p) => (await db.query(t, p)).rows as never },
  { name: 'Postgres wire protocol (binary vector[])', open: (o) => postgresGalleryStore({ connectionString: server.url, maxConnections: 1, ...o }), sql: async (t, p) => (await wire.query(t, p)).rows as never },
];

const D = 16;
/** Awkward but valid rows: quotes, commas, braces, backslashes and non-ASCII in ids and identities; -0, tiny and huge floats. */
function entries(n: number, from = 0, tag = ''): GalleryEntry[] {
  const special = [-0, 1e-30, -3.4e38, 3.4e38, 0.1, -1 / 3, 1.17549435e-38];
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    const embedding = Float32Array.from({ length: D }, (_, j) => ((i + j) % 29 === 0 ? special[(i + j) % special.length]! : Math.sin(i * 12.9898 + j * 78.233) * 43758.5453 % 1));
    return { id: `${tag}e${i}-"q",{b}\\é`, identity: `person ${i % 97} ☺ '${i % 3}'`, embedding };
  });
}
const bits = (v: Float32Array) => Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length));
const norm = (es: readonly GalleryEntry[]) => [...es].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((e) => ({ id: e.id, identity: e.identity, bits: bits(e.embedding) }));
const literal = (v: Float32Array) => `[${Array.from(v).map((x) => (Object.is(x, -0) ? '-0' : String(x))).join(',')}]`;

describe.each(backends)('bulk enrolment: $name', (b) => {
  it('stores bit for bit what one-row-at-a-time text INSERTs store, for a few rows and across several bulk statements, and replaces by id', async () => {
    const prefix = `bulk_eq_${b.name.startsWith('PG') ? 'l' : 'w'}`;
    const bulk = await b.open({ dimension: D, tenant: 'bulk', tablePrefix: prefix });
    const rows = await b.open({ dimension: D, tenant: 'rows', tablePrefix: prefix });
    const all = entries(4505);
    await bulk.doUpsert(all.slice(0, 5)); // a few rows (PGlite sends these as text)
    await bulk.doUpsert(all.slice(5)); // 3 statements of at most 2000 rows
    for (const e of all) await b.sql(`INSERT INTO ${prefix}_d${D} (tenant, id, identity, embedding) VALUES ('rows', $1, $2, $3::vector)`, [e.id, e.identity, literal(e.embedding)]);
    const want = norm(all);
    expect(norm(await bulk.doEntries())).toEqual(want);
    expect(norm(await rows.doEntries())).toEqual(want);
    // both answer a search identically
    const q = all[7]!.embedding;
    const [hb] = await bulk.doSearch(q, 5);
    const [hr] = await rows.doSearch(q, 5);
    expect(hb).toEqual(hr);
    expect(hb![0]).toEqual({ id: all[7]!.id, identity: all[7]!.identity, distance: 0 });
    // an upsert over existing ids replaces them (identity and embedding), new ids are added
    const changed = entries(3000, 3000, '').map((e, k) => (k < 1500 ? { ...e, identity: 'renamed', embedding: all[k]!.embedding } : e));
    await bulk.doUpsert(changed);
    const byId = new Map(all.map((e) => [e.id, e]));
    for (const e of changed) byId.set(e.id, e);
    expect(await bulk.count()).toBe(6000);
    expect(norm(await bulk.doEntries())).toEqual(norm([...byId.values()]));
    await bulk.close();
    await rows.close();
  });

  it('is one transaction: a failure in its second statement keeps nothing of it and leaves replaced rows as they were', async () => {
    const prefix = `bulk_tx_${b.name.startsWith('PG') ? 'l' : 'w'}`;
    const s = await b.open({ dimension: D, tablePrefix: prefix });
    const before = entries(2500);
    await s.doUpsert(before);
    let n = 0;
    s.afterStatement = () => {
      if (++n === 2) throw new Error('boom after the second statement');
    };
    // 5000 rows: the first 2500 replace existing ids, the rest are new
    const next = entries(5000, 0, '').map((e) => ({ ...e, identity: 'overwritten', embedding: new Float32Array(D).fill(9) }));
    await expect(s.doUpsert(next)).rejects.toThrow(/boom/);
    expect(n).toBe(2);
    n = 0;
    await expect(s.doReplaceIdentity('person 1 ☺ \'1\'', entries(4100, 90_000))).rejects.toThrow(/boom/); // fails in its 2nd statement too
    s.afterStatement = undefined;
    expect(await s.count()).toBe(2500);
    expect(norm(await s.doEntries())).toEqual(norm(before));
    await s.close();
  });

  it("HNSW: a large enrolment into an empty table builds the index after the load (same definition), a later one grows it; a failure restores it", async () => {
    const prefix = `bulk_hnsw_${b.name.startsWith('PG') ? 'l' : 'w'}`;
    const table = `${prefix}_d${D}`;
    const index = async () => (await b.sql<{ oid: number; def: string }>(`SELECT c.oid::int4 AS oid, pg_get_indexdef(c.oid) AS def FROM pg_class c WHERE c.relname = $1`, [`${table}_l2_hnsw`]))[0];
    const s = await b.open({ dimension: D, tablePrefix: prefix, search: 'hnsw', hnswM: 8, efConstruction: 40 });
    const created = (await index())!;
    expect(created.def).toMatch(/USING hnsw .*m='?8'?.*ef_construction='?40'?/);
    // a failing first load: the index is back, unchanged, and the table still empty
    s.afterStatement = () => {
      throw new Error('boom');
    };
    await expect(s.doUpsert(entries(3000))).rejects.toThrow(/boom/);
    s.afterStatement = undefined;
    expect(await index()).toEqual(created);
    expect(await s.count()).toBe(0);
    // the first large load drops and rebuilds it (a new index object with the same definition)
    const first = entries(3000);
    await s.doUpsert(first);
    const rebuilt = (await index())!;
    expect(rebuilt.oid).not.toBe(created.oid);
    expect(rebuilt.def).toBe(created.def);
    // a load into a non-empty table inserts into the existing graph
    await s.doUpsert(entries(1500, 3000));
    expect((await index())!.oid).toBe(rebuilt.oid);
    expect(await s.count()).toBe(4500);
    // the rebuilt index answers: every loaded entry finds itself first
    for (const i of [0, 1234, 2999, 4000]) {
      const e = i < 3000 ? first[i]! : entries(1, i)[0]!;
      const [hits] = await s.doSearch(e.embedding, 3);
      expect(hits![0]!.id).toBe(e.id);
    }
    await s.close();
  });
});

describe('bulk enrolment over the wire, concurrently', () => {
  it('two HNSW stores loading the same empty table at once over separate connections both land, with one index', async () => {
    const prefix = 'bulk_conc';
    const open = (tenant: string) => postgresGalleryStore({ connectionString: server.url, maxConnections: 1, dimension: D, tablePrefix: prefix, tenant, search: 'hnsw' });
    const [a, c] = await Promise.all([open('a'), open('c')]);
    await Promise.all([a.doUpsert(entries(2500, 0, 'a')), c.doUpsert(entries(2500, 0, 'c'))]);
    expect(await a.count()).toBe(2500);
    expect(await c.count()).toBe(2500);
    const ix = (await wire.query(`SELECT indexname FROM pg_indexes WHERE tablename = $1 AND indexdef LIKE '% USING hnsw %'`, [`${prefix}_d${D}`])).rows;
    expect(ix).toEqual([{ indexname: `${prefix}_d${D}_l2_hnsw` }]);
    await a.close();
    await c.close();
  });
});
