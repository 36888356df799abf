// Gallery store benchmark on face-like data (D = 128 unit vectors in
// identity clusters, see faceLikeDataset): enrol throughput, ms/query (k = 10,
// one query per call), recall@10 against float64 brute force with a 95 %
// interval, and bytes per entry, for
//   - the in-memory store (MemoryGalleryStore = ExactIndex): the reference of the ratios,
//   - PGlite exact (a folder) and PGlite HNSW (in memory),
//   - Postgres over the wire (`pg` → PGlite served on a loopback socket by
//     @electric-sql/pglite-socket; LIKENESS_PG_URL adds a real server), exact and HNSW,
//   - at the smallest size, the previous enrolment path (decimal text in
//     500-row INSERTs) over the same clients, to show where its time went.
// Stores are filled the way a user loads a large gallery: exact stores in
// 10,000-row enrolments, HNSW stores in one enrolment (importGallery), which
// builds the index after the load. Ratios are to the memory store at the same
// size in the same run. Then, for sizes too large to query here
// (LIKENESS_BENCH_LOAD_SIZES, default 200000), only PGlite's enrol throughput
// and HNSW load+build time.
//
//   pnpm bench                                    (sizes 10000,100000; load-only 200000)
//   LIKENESS_BENCH_SIZES=10000 LIKENESS_BENCH_LOAD_SIZES= pnpm bench   (quick)
//   LIKENESS_BENCH_EF=40,100,200                  (ef_search values swept; raised to k = 10)
//   LIKENESS_BENCH_QUERIES=1000                   (HNSW queries per ef_search; exact stores run 100)
//   LIKENESS_BENCH_HNSW=16:64,32:128              (PGlite HNSW builds as m:ef_construction; default the store's 16:128;
//                                                  the wire store builds the first)
//   LIKENESS_BENCH_ONLY=pglite-hnsw               (only the memory reference and the PGlite HNSW builds)
//   LIKENESS_BENCH_ONLY=hnsw                      (only the memory reference, PGlite HNSW and Postgres/wire HNSW)
//
// Plain Node cannot run tfjs-core's source build, so @likeness/embeddings and
// @likeness/backends come from their dist (`pnpm bench` builds them first).
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import pg from 'pg';
import { MemoryGalleryStore, type GalleryStoreV2 } from '@likeness/embeddings';
import { pgliteGalleryStore, postgresGalleryStore, type SqlGalleryStore } from '../src/node';
import { startLoopbackServer } from '../test/pg-server';
import { faceLikeDataset, type Dataset } from '../test/face-like-dataset';
import { entriesOf, exactTopKRows } from './exact-truth';

const D = 128;
const K = 10;
const EXACT_QUERIES = 100;
const HNSW_QUERIES = Number(process.env['LIKENESS_BENCH_QUERIES'] ?? 1000);
const EXACT_BATCH = 10_000;
const list = (v: string | undefined, d: string) => (v ?? d).split(',').filter(Boolean).map(Number);
const sizes = list(process.env['LIKENESS_BENCH_SIZES'], '10000,100000');
const loadSizes = list(process.env['LIKENESS_BENCH_LOAD_SIZES'], '200000');
const efs = list(process.env['LIKENESS_BENCH_EF'], '40,100,200');
const load1 = process.env['LIKENESS_LOAD_AVG'] ?? '';
const builds = (process.env['LIKENESS_BENCH_HNSW'] ?? '16:128').split(',').filter(Boolean).map((x) => {
  const [m, efc] = x.split(':').map(Number);
  return { hnswM: m!, efConstruction: efc! };
});
const only = process.env['LIKENESS_BENCH_ONLY'] ?? '';
if (!['', 'pglite-hnsw', 'hnsw'].includes(only)) throw new Error(`LIKENESS_BENCH_ONLY: expected pglite-hnsw or hnsw, got ${only}`);
const onlyHnsw = only !== '';
const buildName = (b: { hnswM: number; efConstruction: number }) => (b.hnswM === 16 && b.efConstruction === 128 ? '' : ` m=${b.hnswM} ef_construction=${b.efConstruction}`);

interface Row { store: string; n: number; enrolPerS: number; loadS: number; msPerQuery: number | null; queries: number; recall: number | null; ci: number | null; bytesPerEntry: number | null }

/** Loads the dataset in enrolments of `batch` rows; returns entries/s and seconds. */
async function load(store: GalleryStoreV2, data: Dataset, batch: number): Promise<{ enrolPerS: number; loadS: number }> {
  const n = data.ids.length;
  const t0 = performance.now();
  for (let s = 0; s < n; s += batch) await store.doUpsert(entriesOf(data, s, Math.min(n, s + batch), D));
  const loadS = (performance.now() - t0) / 1000;
  return { enrolPerS: n / loadS, loadS };
}

/** ms/query over `count` single queries and recall@10 with a 95 % interval (normal approximation over per-query recalls). */
async function query(store: GalleryStoreV2, queries: Float32Array, truth: string[][], count: number): Promise<{ msPerQuery: number; queries: number; recall: number; ci: number }> {
  await store.doSearch(queries.subarray(0, D), K); // warm-up
  const per: number[] = [];
  const t1 = performance.now();
  for (let q = 0; q < count; q++) {
    const [hits] = await store.doSearch(queries.subarray(q * D, (q + 1) * D), K);
    const want = new Set(truth[q]);
    per.push(hits!.filter((x) => want.has(x.id)).length / K);
  }
  const msPerQuery = (performance.now() - t1) / count;
  const mean = per.reduce((a, b) => a + b, 0) / count;
  const sd = Math.sqrt(per.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, count - 1));
  return { msPerQuery, queries: count, recall: mean, ci: (1.96 * sd) / Math.sqrt(count) };
}

/** The previous enrolment path: every embedding as a decimal vector literal, 500 rows per INSERT … unnest(text[]). */
async function textInsert(run: (sql: string, params: unknown[]) => Promise<unknown>, data: Dataset, table: string, tenant: string): Promise<{ enrolPerS: number; loadS: number }> {
  const n = data.ids.length;
  // the previous store's formatting loop (Array.prototype.join is about 3× slower here)
  const lit = (v: Float32Array) => {
    let s = '[';
    for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + v[i]!;
    return s + ']';
  };
  const t0 = performance.now();
  for (let s = 0; s < n; s += 500) {
    const e = Math.min(n, s + 500);
    await run(`INSERT INTO ${table} (tenant, id, identity, embedding) SELECT $1, u.id, u.identity, u.embedding::vector(${D}) FROM unnest($2::text[], $3::text[], $4::text[]) AS u(id, identity, embedding)`, [
      tenant,
      data.ids.slice(s, e),
      data.who.slice(s, e),
      entriesOf(data, s, e, D).map((x) => lit(x.embedding)),
    ]);
  }
  const loadS = (performance.now() - t0) / 1000;
  return { enrolPerS: n / loadS, loadS };
}

const table: Row[] = [];
const loads = new Map<Row, number>(); // the 1-minute load average when each row was measured (2 shared cores here)
const print = (r: Row) => {
  loads.set(r, loadavg()[0]!);
  console.log(`  ${r.store}: ${JSON.stringify(r)} load ${loads.get(r)!.toFixed(1)}`);
};
const tmp = mkdtempSync(join(tmpdir(), 'likeness-bench-'));
try {
  for (const n of sizes) {
    const data = faceLikeDataset(n, D, 1);
    const queries = data.probes(Math.max(HNSW_QUERIES, EXACT_QUERIES), 2); // new photos of enrolled people (80 %) and of strangers (20 %)
    console.log(`\n${n} entries: intra-identity L2 ≈ ${data.stats.intra.toFixed(3)}, nearest other identity ≈ ${data.stats.interNearest.toFixed(3)}, random pair ≈ ${data.stats.inter.toFixed(3)}`);
    let t = performance.now();
    const truth = exactTopKRows(data, queries, K, D).map((r) => r.map((i) => data.ids[i]!));
    console.log(`  float64 brute force: ${((performance.now() - t) / (queries.length / D)).toFixed(1)} ms/query (reference)`);

    const mem = new MemoryGalleryStore(D, 'l2', n);
    table.push({ store: `memory (ExactIndex, ${mem.kernel})`, n, ...(await load(mem, data, EXACT_BATCH)), ...(await query(mem, queries, truth, HNSW_QUERIES)), bytesPerEntry: 4 * D });
    print(table.at(-1)!);
    await mem.close();

    if (!onlyHnsw) {
      // PGlite exact, persisted to a folder
      const exact = await pgliteGalleryStore({ dataDir: join(tmp, `exact-${n}`), dimension: D });
      table.push({ store: 'PGlite exact', n, ...(await load(exact, data, EXACT_BATCH)), ...(await query(exact, queries, truth, EXACT_QUERIES)), bytesPerEntry: (await exact.storageBytes()) / n });
      print(table.at(-1)!);
      await exact.close();
    }

    // PGlite HNSW: one enrolment into the empty table (the index is built after the load), then the ef_search sweep
    for (const b of builds) {
      const db = await PGlite.create({ dataDir: 'memory://', extensions: { vector } });
      const hl = await pgliteGalleryStore({ pglite: db, dimension: D, search: 'hnsw', ...b });
      const hlLoad = await load(hl, data, n);
      const hlBytes = (await hl.storageBytes()) / n;
      await hl.close();
      for (const efSearch of efs) {
        const s = await pgliteGalleryStore({ pglite: db, dimension: D, search: 'hnsw', efSearch, ...b });
        table.push({ store: `PGlite hnsw${buildName(b)} ef_search=${efSearch}`, n, ...hlLoad, ...(await query(s, queries, truth, HNSW_QUERIES)), bytesPerEntry: hlBytes });
        print(table.at(-1)!);
        await s.close();
      }
      await db.close();
    }
    if (only === 'pglite-hnsw') continue;
    if (!onlyHnsw && n === sizes[0]) {
      // the previous path into the same kind of store as 'PGlite exact' (a folder, no HNSW index)
      const tdb = await PGlite.create({ dataDir: join(tmp, `text-${n}`), extensions: { vector } });
      await (await pgliteGalleryStore({ pglite: tdb, dimension: D })).close(); // creates the tables
      const r = await textInsert((q, p) => tdb.query(q, p), data, 'likeness_gallery_d128', 'default');
      table.push({ store: 'PGlite exact, decimal-text INSERT (previous path)', n, ...r, msPerQuery: null, queries: 0, recall: null, ci: null, bytesPerEntry: null });
      print(table.at(-1)!);
      await tdb.close();
    }

    // Postgres over the wire protocol: pg → a PGlite served on a loopback socket (its own database per size)
    const server = await startLoopbackServer();
    try {
      if (!onlyHnsw) {
        const wexact = await postgresGalleryStore({ connectionString: server.url, maxConnections: 1, dimension: D, tablePrefix: 'bench_exact' });
        table.push({ store: 'Postgres/wire exact', n, ...(await load(wexact, data, EXACT_BATCH)), ...(await query(wexact, queries, truth, EXACT_QUERIES)), bytesPerEntry: (await wexact.storageBytes()) / n });
        print(table.at(-1)!);
        await wexact.close();
      }
      const wh = await postgresGalleryStore({ connectionString: server.url, maxConnections: 1, dimension: D, tablePrefix: 'bench_hnsw', search: 'hnsw', ...builds[0] });
      const whLoad = await load(wh, data, n);
      const whBytes = (await wh.storageBytes()) / n;
      await wh.close();
      for (const efSearch of efs) {
        const s = await postgresGalleryStore({ connectionString: server.url, maxConnections: 1, dimension: D, tablePrefix: 'bench_hnsw', search: 'hnsw', efSearch });
        table.push({ store: `Postgres/wire hnsw${buildName(builds[0]!)} ef_search=${efSearch}`, n, ...whLoad, ...(await query(s, queries, truth, HNSW_QUERIES)), bytesPerEntry: whBytes });
        print(table.at(-1)!);
        await s.close();
      }
      if (!onlyHnsw && n === sizes[0]) {
        const c = new pg.Client({ connectionString: server.url });
        await c.connect();
        const r = await textInsert((q, p) => c.query(q, p), data, 'bench_exact_d128', 'text-path');
        await c.end();
        table.push({ store: 'Postgres/wire, decimal-text INSERT (previous path)', n, ...r, msPerQuery: null, queries: 0, recall: null, ci: null, bytesPerEntry: null });
        print(table.at(-1)!);
      }
    } finally {
      await server.stop();
    }

    const real = process.env['LIKENESS_PG_URL'];
    if (real) {
      for (const search of ['exact', 'hnsw'] as const) {
        const s: SqlGalleryStore = await postgresGalleryStore({ connectionString: real, dimension: D, tenant: `bench-${n}-${search}`, search, tablePrefix: `likeness_bench_${search}` });
        table.push({ store: `Postgres (LIKENESS_PG_URL) ${search}`, n, ...(await load(s, data, search === 'hnsw' ? n : EXACT_BATCH)), ...(await query(s, queries, truth, search === 'hnsw' ? HNSW_QUERIES : EXACT_QUERIES)), bytesPerEntry: (await s.storageBytes()) / n });
        print(table.at(-1)!);
        await s.close();
      }
    }
  }

  // Load only: enrol throughput and HNSW load + build at sizes too slow to query here.
  for (const n of loadSizes) {
    const data = faceLikeDataset(n, D, 1);
    console.log(`\n${n} entries, load only`);
    const exact = await pgliteGalleryStore({ dataDir: join(tmp, `exact-${n}`), dimension: D });
    table.push({ store: 'PGlite exact (load only)', n, ...(await load(exact, data, EXACT_BATCH)), msPerQuery: null, queries: 0, recall: null, ci: null, bytesPerEntry: (await exact.storageBytes()) / n });
    print(table.at(-1)!);
    await exact.close();
    rmSync(join(tmp, `exact-${n}`), { recursive: true, force: true });
    const db = await PGlite.create({ dataDir: 'memory://', extensions: { vector } });
    const h = await pgliteGalleryStore({ pglite: db, dimension: D, search: 'hnsw' });
    table.push({ store: 'PGlite hnsw, one enrolment + index build (load only)', n, ...(await load(h, data, n)), msPerQuery: null, queries: 0, recall: null, ci: null, bytesPerEntry: (await h.storageBytes()) / n });
    print(table.at(-1)!);
    await h.close();
    await db.close();
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const base = new Map(table.filter((r) => r.store.startsWith('memory')).map((r) => [r.n, r]));
console.log(`\ngallery stores, D = ${D}, k = ${K}, single queries; recall@10 against float64 brute force (± 95 % interval over queries); ratios to the memory store at the same size${load1 ? `; load average ${load1}` : ''}\n`);
console.log('| store | entries | enrol entries/s | load s | ms/query | × memory | queries | recall@10 | bytes/entry | load avg |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
const f = (x: number | null, d: number) => (x === null ? '–' : x.toFixed(d));
for (const r of table) {
  const b = base.get(r.n);
  const ratio = r.msPerQuery !== null && b?.msPerQuery ? r.msPerQuery / b.msPerQuery : null;
  console.log(`| ${r.store} | ${r.n} | ${f(r.enrolPerS, 0)} | ${f(r.loadS, 1)} | ${f(r.msPerQuery, 2)} | ${f(ratio, 1)} | ${r.queries || '–'} | ${r.recall === null ? '–' : `${r.recall.toFixed(3)} ± ${r.ci!.toFixed(3)}`} | ${f(r.bytesPerEntry, 0)} | ${f(loads.get(r) ?? null, 1)} |`);
}
