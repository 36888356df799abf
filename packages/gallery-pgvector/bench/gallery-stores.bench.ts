// Gallery store benchmark on face-like data (D = 128 unit vectors in
// identity clusters, see faceLikeDataset): enrol throughput, ms/query (k = 10,
// one query per call), recall@10 against float64 brute force, and bytes per
// entry, for the in-memory store (MemoryGalleryStore = ExactIndex), PGlite
// exact (a folder), PGlite HNSW (bulk load, then the index is built; an
// ef_search sweep), and at small sizes PGlite HNSW with the index kept up to
// date during enrolment and Postgres over a loopback socket (PGlite behind the
// wire protocol; set LIKENESS_PG_URL to add a real server). Ratios are to the
// memory store at the same size in the same run.
//
//   pnpm bench                                   (sizes 10000,100000)
//   LIKENESS_BENCH_SIZES=10000 pnpm bench        (quick)
//   LIKENESS_BENCH_HNSW=16,64                    (m, ef_construction of the bulk-built index)
//   LIKENESS_BENCH_EF=10,20,40,100,200           (ef_search values swept; raised to k = 10)
//
// Plain Node cannot run tfjs-core's source build, so @likeness/embeddings and
// @likeness/backends come from their dist (`pnpm bench` builds them first).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { MemoryGalleryStore, type GalleryHit, type GalleryStoreV2 } from '@likeness/embeddings';
import { pgliteGalleryStore, postgresGalleryStore, type SqlGalleryStore } from '../src/node';
import { startLoopbackServer } from '../test/pg-server';
import { faceLikeDataset, type Dataset } from '../test/face-like-dataset';

const D = 128;
const K = 10;
const QUERIES = 100;
const BATCH = 1000;
const SMALL = 10_000; // incremental HNSW and the socket store run up to this size (they are slow)
const sizes = (process.env['LIKENESS_BENCH_SIZES'] ?? '10000,100000').split(',').map(Number);
const [M, EFC] = (process.env['LIKENESS_BENCH_HNSW'] ?? '16,64').split(',').map(Number) as [number, number];
const efs = (process.env['LIKENESS_BENCH_EF'] ?? '10,20,40,100,200').split(',').map(Number);

/** The exact top-k ids per query in float64 (the reference every store is checked against). */
function bruteForce(data: Dataset, queries: Float32Array, k: number): string[][] {
  const n = data.ids.length;
  const out: string[][] = [];
  const dist = new Float64Array(n);
  for (let q = 0; q < queries.length / D; q++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < D; j++) {
        const d = (data.rows[i * D + j]! as number) - (queries[q * D + j]! as number);
        s += d * d;
      }
      dist[i] = s;
    }
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => dist[a]! - dist[b]!);
    out.push(order.slice(0, k).map((i) => data.ids[i]!));
  }
  return out;
}

interface Row { store: string; n: number; enrolPerS: number | null; buildS: number | null; msPerQuery: number; recall: number; bytesPerEntry: number | null }

async function load(store: GalleryStoreV2, data: Dataset): Promise<number> {
  const n = data.ids.length;
  const t0 = performance.now();
  for (let s = 0; s < n; s += BATCH) {
    const e = Math.min(BATCH, n - s);
    await store.doUpsert(Array.from({ length: e }, (_, i) => ({ id: data.ids[s + i]!, identity: data.who[s + i]!, embedding: data.rows.subarray((s + i) * D, (s + i + 1) * D) })));
  }
  return n / ((performance.now() - t0) / 1000);
}

async function query(store: GalleryStoreV2, queries: Float32Array, truth: string[][]): Promise<{ msPerQuery: number; recall: number }> {
  await store.doSearch(queries.subarray(0, D), K); // warm-up
  const hits: GalleryHit[][] = [];
  const t1 = performance.now();
  for (let q = 0; q < QUERIES; q++) hits.push(...(await store.doSearch(queries.subarray(q * D, (q + 1) * D), K)));
  const msPerQuery = (performance.now() - t1) / QUERIES;
  let found = 0;
  hits.forEach((h, q) => {
    const want = new Set(truth[q]);
    found += h.filter((x) => want.has(x.id)).length;
  });
  return { msPerQuery, recall: found / (QUERIES * K) };
}

const table: Row[] = [];
const print = (r: Row) => console.log(`  ${r.store}: ${JSON.stringify(r)}`);
const server = await startLoopbackServer();
const tmp = mkdtempSync(join(tmpdir(), 'likeness-bench-'));
try {
  for (const n of sizes) {
    const data = faceLikeDataset(n, D, 1);
    const queries = data.probes(QUERIES, 2); // new photos of enrolled people (80 %) and of strangers (20 %)
    console.log(`\n${n} entries: intra-identity L2 ≈ ${data.stats.intra.toFixed(3)}, nearest other identity ≈ ${data.stats.interNearest.toFixed(3)}, random pair ≈ ${data.stats.inter.toFixed(3)}`);
    let t = performance.now();
    const truth = bruteForce(data, queries, K);
    console.log(`  float64 brute force: ${((performance.now() - t) / QUERIES).toFixed(1)} ms/query (reference)`);

    const mem = new MemoryGalleryStore(D, 'l2', n);
    const memEnrol = await load(mem, data);
    table.push({ store: `memory (ExactIndex, ${mem.kernel})`, n, enrolPerS: memEnrol, buildS: null, ...(await query(mem, queries, truth)), bytesPerEntry: 4 * D });
    print(table.at(-1)!);
    await mem.close();

    // PGlite exact, persisted to a folder
    const exact = await pgliteGalleryStore({ dataDir: join(tmp, `exact-${n}`), dimension: D });
    const exactEnrol = await load(exact, data);
    table.push({ store: 'PGlite exact', n, enrolPerS: exactEnrol, buildS: null, ...(await query(exact, queries, truth)), bytesPerEntry: (await exact.storageBytes()) / n });
    print(table.at(-1)!);
    await exact.close();

    // PGlite HNSW: bulk load without the index, then reopen with search: 'hnsw' (builds it), then sweep ef_search
    const db = await PGlite.create({ dataDir: join(tmp, `hnsw-${n}`), extensions: { vector } });
    const common = { pglite: db, dimension: D, tablePrefix: 'bench_hnsw' } as const;
    const bulk = await pgliteGalleryStore(common);
    const bulkEnrol = await load(bulk, data);
    await bulk.close();
    t = performance.now();
    await (await pgliteGalleryStore({ ...common, search: 'hnsw', hnswM: M, efConstruction: EFC })).close();
    const buildS = (performance.now() - t) / 1000;
    for (const efSearch of efs) {
      const s = await pgliteGalleryStore({ ...common, search: 'hnsw', hnswM: M, efConstruction: EFC, efSearch });
      table.push({ store: `PGlite hnsw m=${M} ef_construction=${EFC} ef_search=${efSearch}`, n, enrolPerS: n / (n / bulkEnrol + buildS), buildS, ...(await query(s, queries, truth)), bytesPerEntry: (await s.storageBytes()) / n });
      print(table.at(-1)!);
      await s.close();
    }
    await db.close();

    if (n <= SMALL) {
      const inc = await pgliteGalleryStore({ dataDir: join(tmp, `inc-${n}`), dimension: D, search: 'hnsw', hnswM: M, efConstruction: EFC });
      const incEnrol = await load(inc, data);
      table.push({ store: `PGlite hnsw, index kept during enrolment, ef_search=100`, n, enrolPerS: incEnrol, buildS: null, ...(await query(inc, queries, truth)), bytesPerEntry: (await inc.storageBytes()) / n });
      print(table.at(-1)!);
      await inc.close();
      const pgs = await postgresGalleryStore({ connectionString: server.url, maxConnections: 1, dimension: D, tenant: `bench-${n}` });
      const pgEnrol = await load(pgs, data);
      table.push({ store: 'Postgres/socket exact', n, enrolPerS: pgEnrol, buildS: null, ...(await query(pgs, queries, truth)), bytesPerEntry: (await pgs.storageBytes()) / n });
      print(table.at(-1)!);
      await pgs.close();
    }
    const real = process.env['LIKENESS_PG_URL'];
    if (real) {
      for (const search of ['exact', 'hnsw'] as const) {
        const s = await postgresGalleryStore({ connectionString: real, dimension: D, tenant: `bench-${n}-${search}`, search, hnswM: M, efConstruction: EFC, tablePrefix: 'likeness_bench' });
        const e = await load(s, data);
        table.push({ store: `Postgres (LIKENESS_PG_URL) ${search}`, n, enrolPerS: e, buildS: null, ...(await query(s, queries, truth)), bytesPerEntry: (await s.storageBytes()) / n });
        print(table.at(-1)!);
        await s.close();
      }
    }
  }
} finally {
  await server.stop();
  rmSync(tmp, { recursive: true, force: true });
}

const base = new Map(table.filter((r) => r.store.startsWith('memory')).map((r) => [r.n, r]));
console.log(`\ngallery stores, D = ${D}, k = ${K}, ${QUERIES} single queries; recall@10 against float64 brute force; ratios to the memory store at the same size\n`);
console.log('| store | entries | enrol entries/s | index build s | ms/query | × memory | recall@10 | bytes/entry |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of table) {
  const b = base.get(r.n)!;
  console.log(`| ${r.store} | ${r.n} | ${r.enrolPerS === null ? '–' : r.enrolPerS.toFixed(0)} | ${r.buildS === null ? '–' : r.buildS.toFixed(1)} | ${r.msPerQuery.toFixed(2)} | ${(r.msPerQuery / b.msPerQuery).toFixed(1)} | ${r.recall.toFixed(3)} | ${r.bytesPerEntry === null ? '–' : r.bytesPerEntry.toFixed(0)} |`);
}
