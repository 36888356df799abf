// Gallery store benchmark: enrol throughput, ms/query (k = 10, one query per
// call), recall@10 against the exact in-memory store, and bytes per entry, for
// the memory store (tfjs wasm backend), PGlite exact / HNSW (a folder), and
// Postgres over a loopback socket (PGlite behind the wire protocol; set
// LIKENESS_PG_URL to add a real server). Ratios are to the memory store at the
// same size in the same run.
//
//   pnpm bench                                   (sizes 10000,100000)
//   LIKENESS_BENCH_SIZES=10000 pnpm bench        (quick)
//
// Plain Node cannot run tfjs-core's source build, so @likeness/embeddings and
// @likeness/backends come from their dist (`pnpm bench` builds them first).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@likeness/backends/wasm';
import { useBackend } from '@likeness/backends';
import { MemoryGalleryStore, type GalleryHit, type GalleryStoreV2 } from '@likeness/embeddings';
import { pgliteGalleryStore, postgresGalleryStore, type SqlGalleryStore } from '../src/node';
import { startLoopbackServer } from '../test/pg-server';

const D = 128;
const K = 10;
const QUERIES = 30;
const BATCH = 1000;
const sizes = (process.env['LIKENESS_BENCH_SIZES'] ?? '10000,100000').split(',').map(Number);

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
// face-descriptor-like data: 1 identity per 4 entries, entries near their identity's centre
function dataset(n: number, seed: number): { ids: string[]; who: string[]; rows: Float32Array } {
  const r = rng(seed);
  const rows = new Float32Array(n * D);
  const centres = new Float32Array(Math.ceil(n / 4) * D).map(() => (r() - 0.5) * 0.2);
  for (let i = 0; i < n; i++) for (let k = 0; k < D; k++) rows[i * D + k] = centres[Math.floor(i / 4) * D + k]! + (r() - 0.5) * 0.05;
  return { ids: Array.from({ length: n }, (_, i) => `e${i}`), who: Array.from({ length: n }, (_, i) => `p${Math.floor(i / 4)}`), rows };
}

interface Row { store: string; n: number; enrolPerS: number; msPerQuery: number; recall: number; bytesPerEntry: number }

async function measure(name: string, n: number, store: GalleryStoreV2, data: ReturnType<typeof dataset>, queries: Float32Array, truth: GalleryHit[][] | null, bytes: () => Promise<number>): Promise<{ row: Row; hits: GalleryHit[][] }> {
  const t0 = performance.now();
  for (let s = 0; s < n; s += BATCH) {
    const e = n - s < BATCH ? n - s : BATCH;
    await store.doUpsert(Array.from({ length: e }, (_, i) => ({ id: data.ids[s + i]!, identity: data.who[s + i]!, embedding: data.rows.subarray((s + i) * D, (s + i + 1) * D) })));
  }
  const enrolS = (performance.now() - t0) / 1000;
  await store.doSearch(queries.subarray(0, D), K); // warm-up (builds the memory store's backend blocks)
  const hits: GalleryHit[][] = [];
  const t1 = performance.now();
  for (let q = 0; q < QUERIES; q++) hits.push(...(await store.doSearch(queries.subarray(q * D, (q + 1) * D), K)));
  const msPerQuery = (performance.now() - t1) / QUERIES;
  let found = 0;
  if (truth) hits.forEach((h, q) => { const want = new Set(truth[q]!.map((x) => x.id)); found += h.filter((x) => want.has(x.id)).length; });
  const recall = truth ? found / (QUERIES * K) : 1;
  return { row: { store: name, n, enrolPerS: n / enrolS, msPerQuery, recall, bytesPerEntry: (await bytes()) / n }, hits };
}

const sqlBytes = (s: SqlGalleryStore) => () => s.storageBytes(); // table + its indexes

await useBackend('wasm');
const table: Row[] = [];
const server = await startLoopbackServer();
const tmp = mkdtempSync(join(tmpdir(), 'likeness-bench-'));
try {
  for (const n of sizes) {
    const data = dataset(n, 1);
    const queries = dataset(QUERIES, 2).rows; // probes from another seed
    const mem = new MemoryGalleryStore(D, 'l2', n);
    const m = await measure('memory (exact, wasm)', n, mem, data, queries, null, async () => n * 4 * D); // one Float32Array row each (+ a backend copy)
    table.push(m.row);
    await mem.close();
    const truth = m.hits;
    for (const search of ['exact', 'hnsw'] as const) {
      const dir = join(tmp, `pglite-${n}-${search}`);
      const s = await pgliteGalleryStore({ dataDir: dir, dimension: D, search });
      table.push((await measure(`PGlite ${search}`, n, s, data, queries, truth, sqlBytes(s))).row);
      await s.close();
    }
    const pgs = await postgresGalleryStore({ connectionString: server.url, maxConnections: 1, dimension: D, tenant: `bench-${n}` });
    table.push((await measure('Postgres/socket exact', n, pgs, data, queries, truth, sqlBytes(pgs))).row);
    await pgs.close();
    const real = process.env['LIKENESS_PG_URL'];
    if (real) {
      for (const search of ['exact', 'hnsw'] as const) {
        const s = await postgresGalleryStore({ connectionString: real, dimension: D, tenant: `bench-${n}-${search}`, search, tablePrefix: 'likeness_bench' });
        table.push((await measure(`Postgres (LIKENESS_PG_URL) ${search}`, n, s, data, queries, truth, sqlBytes(s))).row);
        await s.close();
      }
    }
  }
} finally {
  await server.stop();
  rmSync(tmp, { recursive: true, force: true });
}

const base = new Map(table.filter((r) => r.store.startsWith('memory')).map((r) => [r.n, r]));
console.log(`\ngallery stores, D = ${D}, k = ${K}, ${QUERIES} single queries; ratios to the memory store at the same size\n`);
console.log('| store | entries | enrol entries/s | ms/query | × memory | recall@10 | bytes/entry |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of table) {
  const b = base.get(r.n)!;
  console.log(`| ${r.store} | ${r.n} | ${r.enrolPerS.toFixed(0)} | ${r.msPerQuery.toFixed(2)} | ${(r.msPerQuery / b.msPerQuery).toFixed(1)} | ${r.recall.toFixed(3)} | ${r.bytesPerEntry.toFixed(0)} |`);
}
