import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@likeness/backends';
import { createGallery, GalleryStoreError } from '@likeness/embeddings';
import { describeGalleryStoreConformance } from '@likeness/embeddings/testing';
import { pgliteGalleryStore as folderStore } from './node/pglite-folder-store';
import { faceLikeDataset } from '../test/face-like-dataset';
import { pgliteGalleryStore } from './pglite-gallery-store';
import { GALLERY_SCHEMA_VERSION } from './sql-gallery-store';

let db: PGlite;
beforeAll(async () => {
  db = await PGlite.create({ extensions: { vector } });
});
afterAll(async () => {
  await db?.close();
});

// Every store below is a tenant of one in-process PGlite database (one initdb for the file).
describeGalleryStoreConformance({ name: 'PGlite, exact', persistent: true, open: (tenant, o) => pgliteGalleryStore({ pglite: db, tenant, ...o }) });
describeGalleryStoreConformance({ name: 'PGlite, HNSW', persistent: true, open: (tenant, o) => pgliteGalleryStore({ pglite: db, tenant, search: 'hnsw', ...o }) });

describe('pgliteGalleryStore', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'likeness-pglite-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('persists to a folder: data, metadata and settings survive closing; mismatches are refused', async () => {
    const dir = join(tmp(), 'faces-db');
    const g = createGallery({ store: await folderStore({ dataDir: dir, dimension: 3, metric: 'cosine' }) });
    const ids = await g.enrol('alice', [[1, 0, 0], [0, 1, 0]]);
    await g.metadata.set('calibration', { threshold: 0.4 });
    await g.close();
    await expect(folderStore({ dataDir: dir, dimension: 4, metric: 'cosine' })).rejects.toSatisfy((e: unknown) => GalleryStoreError.isInstance(e) && e.reason === 'mismatch' && e.setting === 'dimension');
    const h = createGallery({ store: await folderStore({ dataDir: dir, dimension: 3, metric: 'cosine' }) });
    expect(await h.entriesOf('alice')).toEqual([...ids].sort());
    expect(await h.metadata.get('calibration')).toEqual({ threshold: 0.4 });
    await h.close();
  });

  it('refuses tables written by a newer schema version, changing nothing', async () => {
    const dir = join(tmp(), 'faces-db');
    const g = createGallery({ store: await folderStore({ dataDir: dir, dimension: 3 }) });
    const ids = await g.enrol('alice', [[1, 0, 0]]);
    await g.close();
    const raw = await PGlite.create({ dataDir: dir, extensions: { vector } });
    await raw.query('UPDATE likeness_gallery_schema SET version = version + 1');
    await raw.close();
    await expect(folderStore({ dataDir: dir, dimension: 3 })).rejects.toSatisfy(
      (e: unknown) => GalleryStoreError.isInstance(e) && e.reason === 'unsupported' && e.setting === 'schema' && /newer/.test(e.message),
    );
    const check = await PGlite.create({ dataDir: dir, extensions: { vector } });
    expect((await check.query<{ version: number }>('SELECT version FROM likeness_gallery_schema')).rows).toEqual([{ version: GALLERY_SCHEMA_VERSION + 1 }]);
    expect((await check.query<{ id: string }>('SELECT id FROM likeness_gallery_d3')).rows.map((r) => r.id)).toEqual(ids);
    await check.close();
  });

  it('refuses a foreign folder, a file and a folder path through the browser entry, touching nothing', async () => {
    const foreign = tmp();
    writeFileSync(join(foreign, 'notes.txt'), 'mine');
    await expect(folderStore({ dataDir: foreign, dimension: 3 })).rejects.toSatisfy((e: unknown) => GalleryStoreError.isInstance(e) && e.reason === 'corrupt' && /not a PGlite database/.test(e.message));
    const damaged = tmp();
    writeFileSync(join(damaged, 'PG_VERSION'), '17\n');
    await expect(folderStore({ dataDir: damaged, dimension: 3 })).rejects.toSatisfy((e: unknown) => GalleryStoreError.isInstance(e) && e.reason === 'corrupt');
    const file = join(tmp(), 'x.db');
    writeFileSync(file, 'x');
    await expect(folderStore({ dataDir: file, dimension: 3 })).rejects.toSatisfy((e: unknown) => GalleryStoreError.isInstance(e) && e.reason === 'corrupt');
    await expect(pgliteGalleryStore({ dataDir: tmp(), dimension: 3 })).rejects.toSatisfy((e: unknown) => InvalidArgumentError.isInstance(e) && /\/node/.test(e.message));
    // nothing was written into the refused folders, and no lock file was left beside them
    expect(readdirSync(foreign)).toEqual(['notes.txt']);
    expect(readFileSync(join(foreign, 'notes.txt'), 'utf8')).toBe('mine');
    expect(readdirSync(damaged)).toEqual(['PG_VERSION']);
    expect(readFileSync(join(damaged, 'PG_VERSION'), 'utf8')).toBe('17\n');
    expect(readFileSync(file, 'utf8')).toBe('x');
    for (const d of [foreign, damaged, file]) expect(existsSync(`${d}.lock`)).toBe(false);
    // the lock was released after each refusal: a good folder still opens at once
    const ok = join(tmp(), 'db');
    mkdirSync(ok);
    const s = await folderStore({ dataDir: ok, dimension: 3, lockTimeoutMs: 0 });
    await s.close();
  });

  it('builds the HNSW index with the given m and ef_construction', async () => {
    const s = await pgliteGalleryStore({ pglite: db, dimension: 5, tablePrefix: 'hnsw_params', search: 'hnsw', hnswM: 24, efConstruction: 96 });
    const r = await db.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE tablename = 'hnsw_params_d5' AND indexdef LIKE '%USING hnsw%'`);
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]!.indexdef).toMatch(/\bm='?24'?.*ef_construction='?96'?/);
    await s.close();
  });

  it('builds the HNSW index with maintenanceWorkMemMB as maintenance_work_mem (on open and after a bulk load)', async () => {
    // pgvector says when the graph outgrows maintenance_work_mem; PGlite passes notices only to a query's onNotice
    const own = await PGlite.create({ extensions: { vector } });
    const notices: string[] = [];
    const transaction = own.transaction.bind(own);
    own.transaction = (fn) =>
      transaction((tx) => {
        const q = tx.query.bind(tx);
        tx.query = ((sql: string, p?: unknown[], o?: object) => q(sql, p, { ...o, onNotice: (m: { message?: string }) => notices.push(m.message ?? '') })) as typeof tx.query;
        return fn(tx);
      });
    const n = 3000;
    const rows = Array.from({ length: n }, (_, i) => ({ id: `e${i}`, identity: `p${i % 50}`, embedding: Float32Array.from({ length: 8 }, (_, j) => Math.sin(i * 7.1 + j * 1.3)) }));
    const fits = () => notices.filter((m) => /no longer fits into maintenance_work_mem/.test(m)).length;
    for (const [prefix, mb, spills] of [['mwm_default', undefined, false], ['mwm_small', 1, true]] as const) {
      // 1. an index created on open over existing rows
      const exact = await pgliteGalleryStore({ pglite: own, dimension: 8, tablePrefix: prefix });
      await exact.doUpsert(rows);
      await exact.close();
      let before = fits();
      const opened = await pgliteGalleryStore({ pglite: own, dimension: 8, tablePrefix: prefix, search: 'hnsw', maintenanceWorkMemMB: mb });
      expect(fits() > before, `${prefix}: open`).toBe(spills);
      // 2. the rebuild after a bulk load into the emptied table
      await opened.doRemove(rows.map((r) => r.id));
      before = fits();
      await opened.doUpsert(rows);
      expect(fits() > before, `${prefix}: bulk load`).toBe(spills);
      expect(await opened.count()).toBe(n);
      await opened.close();
    }
    await own.close();
  });

  it('builds the HNSW index with m 16 and ef_construction 128 by default', async () => {
    const s = await pgliteGalleryStore({ pglite: db, dimension: 5, tablePrefix: 'hnsw_defaults', search: 'hnsw' });
    const r = await db.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE tablename = 'hnsw_defaults_d5' AND indexdef LIKE '%USING hnsw%'`);
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]!.indexdef).toMatch(/\bm='?16'?.*ef_construction='?128'?/);
    await s.close();
  });

  it("search: 'hnsw' answers through the HNSW index (not a filtered scan); 'exact' never touches it", async () => {
    const plan = async (search: 'exact' | 'hnsw') => {
      await db.query('BEGIN');
      try {
        // what the store sets for each mode, then the plan of its query shape
        await db.query('SET LOCAL enable_bitmapscan = off');
        await db.query(search === 'exact' ? 'SET LOCAL enable_indexscan = off' : 'SET LOCAL enable_seqscan = off');
        const where = search === 'exact' ? 'tenant = $1' : `(tenant || '') = $1`;
        const r = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT id FROM plan_d4 WHERE ${where} ORDER BY embedding <-> '[1,0,0,0]' LIMIT 3`, ['t']);
        return r.rows.map((x) => x['QUERY PLAN']).join('\n');
      } finally {
        await db.query('ROLLBACK');
      }
    };
    const hnsw = await pgliteGalleryStore({ pglite: db, dimension: 4, tablePrefix: 'plan', tenant: 't', search: 'hnsw' });
    const g = createGallery({ store: hnsw });
    for (let b = 0; b < 4; b++) await g.enrol(`p${b}`, Array.from({ length: 500 }, (_, i) => [Math.sin(i + b), Math.cos(i * 3 + b), Math.sin(i * 7), b / 4]));
    // no ANALYZE after the load (PGlite runs no autovacuum): the planner then guesses a selective tenant test
    // and would filter through the b-tree on (tenant, identity) and sort, an exact scan in disguise
    expect(await plan('hnsw')).toMatch(/Index Scan using plan_d4_l2_hnsw/);
    expect(await plan('exact')).not.toMatch(/hnsw/);
    // and the store's own queries use the index: pgvector's scan counter for it moves
    const scans = async () => Number((await db.query<{ n: string }>(`SELECT idx_scan AS n FROM pg_stat_user_indexes WHERE indexrelname = 'plan_d4_l2_hnsw'`)).rows[0]?.n ?? NaN);
    const before = await scans();
    await g.identify([1, 0, 0, 0], { threshold: 1, k: 3 });
    await db.query('SELECT pg_stat_force_next_flush()').catch(() => {});
    const after = await scans();
    expect(Number.isFinite(before)).toBe(true);
    expect(after).toBeGreaterThan(before);
    await g.close();
  });

  it('HNSW recall@10 ≥ 0.99 at 10,000 face-like entries (bulk load, then the index), against float64 brute force', async () => {
    const D = 128, n = 10_000, Q = 50;
    const data = faceLikeDataset(n, D, 11);
    const common = { pglite: db, dimension: D, tablePrefix: 'recall10k' } as const;
    const bulk = await pgliteGalleryStore(common);
    for (let s = 0; s < n; s += 2000) {
      await bulk.doUpsert(Array.from({ length: 2000 }, (_, i) => ({ id: data.ids[s + i]!, identity: data.who[s + i]!, embedding: data.rows.subarray((s + i) * D, (s + i + 1) * D) })));
    }
    await bulk.close();
    const store = await pgliteGalleryStore({ ...common, search: 'hnsw' }); // builds the index over the loaded rows
    const probes = data.probes(Q, 12);
    let found = 0;
    const dist = new Float64Array(n);
    for (let q = 0; q < Q; q++) {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < D; j++) s += ((data.rows[i * D + j]! as number) - (probes[q * D + j]! as number)) ** 2;
        dist[i] = s;
      }
      const truth = new Set(Array.from({ length: n }, (_, i) => i).sort((a, b) => dist[a]! - dist[b]!).slice(0, 10).map((i) => data.ids[i]));
      const [hits] = await store.doSearch(probes.subarray(q * D, (q + 1) * D), 10);
      expect(hits).toHaveLength(10);
      found += hits!.filter((h) => truth.has(h.id)).length;
    }
    const recall = found / (Q * 10);
    console.log(`HNSW (m 16, ef_construction 128, ef_search 200) recall@10 at ${n} face-like entries: ${recall.toFixed(3)}`);
    expect(recall).toBeGreaterThanOrEqual(0.99);
    await store.close();
  });

  it('bad options: typed errors naming the option', async () => {
    await expect(pgliteGalleryStore({ pglite: db, dimension: 0 })).rejects.toSatisfy((e: unknown) => InvalidArgumentError.isInstance(e) && e.argument === 'options.dimension');
    await expect(pgliteGalleryStore({ pglite: db, dimension: 3, metric: 'dot' as 'l2' })).rejects.toSatisfy((e: unknown) => InvalidArgumentError.isInstance(e) && e.argument === 'options.metric');
    await expect(pgliteGalleryStore({ pglite: db, dimension: 3, tenant: '' })).rejects.toSatisfy((e: unknown) => InvalidArgumentError.isInstance(e) && e.argument === 'options.tenant');
    await expect(pgliteGalleryStore({ pglite: db, dimension: 3, search: 'ivf' as 'hnsw' })).rejects.toSatisfy((e: unknown) => InvalidArgumentError.isInstance(e) && e.argument === 'options.search');
    await expect(pgliteGalleryStore({ pglite: db, dimension: 3, search: 'hnsw', hnswM: 1 })).rejects.toSatisfy((e: unknown) => InvalidArgumentError.isInstance(e) && e.argument === 'options.hnswM');
    await expect(pgliteGalleryStore({ pglite: db, dimension: 3, search: 'hnsw', hnswM: 16, efConstruction: 31 })).rejects.toSatisfy((e: unknown) => InvalidArgumentError.isInstance(e) && e.argument === 'options.efConstruction' && /32/.test(e.message));
    for (const bad of [0, 1.5, -1, Number.NaN, 2_097_152, '1GB' as unknown as number]) {
      await expect(pgliteGalleryStore({ pglite: db, dimension: 3, search: 'hnsw', maintenanceWorkMemMB: bad })).rejects.toSatisfy((e: unknown) => InvalidArgumentError.isInstance(e) && e.argument === 'options.maintenanceWorkMemMB');
    }
    await expect(pgliteGalleryStore({ dimension: 3 })).rejects.toSatisfy((e: unknown) => InvalidArgumentError.isInstance(e) && e.argument === 'options.dataDir');
    const s = await pgliteGalleryStore({ pglite: db, dimension: 3, tenant: 'closed' });
    await s.close();
    await expect(s.count()).rejects.toSatisfy((e: unknown) => GalleryStoreError.isInstance(e) && e.reason === 'unavailable');
    expect(db.closed).toBe(false); // a store never closes a PGlite it was given
  });
});
