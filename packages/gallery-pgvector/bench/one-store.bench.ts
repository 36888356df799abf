// One store at one size, for runs too long for `pnpm bench` (1M entries): it prints
// each figure as soon as it is measured (with the load average then), so a run
// left in the background (`nice -n 19 … > log`) reports how far it got even when
// it is stopped, and a table row at the end.
//
//   LIKENESS_BENCH_STORE=memory  LIKENESS_BENCH_N=1000000 node --import tsx bench/one-store.bench.ts
//     MemoryGalleryStore (ExactIndex): load, ms/query single and 16 queries per
//     call, bytes per entry; every answer checked against float64 brute force.
//   LIKENESS_BENCH_STORE=pglite  LIKENESS_BENCH_N=1000000 LIKENESS_BENCH_BUILD_MB=1100 …
//     PGlite in a folder: exact enrolment in 10,000-row enrolments (entries/s),
//     exact ms/query (LIKENESS_BENCH_EXACT_QUERIES, default 20, checked against
//     float64 truth), then the HNSW index built over the stored rows by
//     reopening with search: 'hnsw' (m = LIKENESS_BENCH_M, default 16;
//     ef_construction = LIKENESS_BENCH_EFC, default 128; maintenance_work_mem
//     LIKENESS_BENCH_BUILD_MB, default the store's 256), with pgvector's notices
//     printed (it says when the graph stops fitting in memory), then ms/query
//     and recall@10 (± 95 % interval) per ef_search (LIKENESS_BENCH_EF, default 200)
//     over LIKENESS_BENCH_QUERIES (default 200) queries.
//
//   LIKENESS_BENCH_STORE=postgres LIKENESS_PG_URL=postgres://… LIKENESS_BENCH_N=1000000 LIKENESS_BENCH_BUILD_MB=2048 …
//     the same as pglite on a PostgreSQL server with pgvector (postgresGalleryStore, tables
//     likeness_bench_<pid>_*, dropped at the end), then the memory store (ExactIndex) on the same
//     data and queries in the same run, with the ratios. The build's parallelism is the server's
//     max_parallel_maintenance_workers (printed).
//   LIKENESS_BENCH_STORE=truth LIKENESS_BENCH_TRUTH_FILE=t.json …   only the float64 truth, saved
//     (LIKENESS_BENCH_TRUTH_FILE also makes the other modes read it instead of computing it)
//   LIKENESS_BENCH_STORE=pglite-query LIKENESS_BENCH_DATA_DIR=<folder> …   queries only, on the
//     folder of an earlier pglite run (stopped with SIGKILL after its build, so its folder stays)
//
// Same face-like data and probes as gallery-stores.bench.ts (seeds 1 and 2).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { MemoryGalleryStore, type GalleryStoreV2 } from '@likeness/embeddings';
import pg from 'pg';
import { pgliteGalleryStore, postgresGalleryStore } from '../src/node';
import { faceLikeDataset, type Dataset } from '../test/face-like-dataset';
import { entriesOf, exactTopKRows } from './exact-truth';

const D = 128;
const K = 10;
const env = (k: string, d: string) => process.env[k] || d;
const store = env('LIKENESS_BENCH_STORE', 'memory');
const n = Number(env('LIKENESS_BENCH_N', '100000'));
const queriesN = Number(env('LIKENESS_BENCH_QUERIES', '200'));
const exactQueries = Number(env('LIKENESS_BENCH_EXACT_QUERIES', '20'));
const efs = env('LIKENESS_BENCH_EF', '200').split(',').map(Number);
const hnswM = Number(env('LIKENESS_BENCH_M', '16'));
const efConstruction = Number(env('LIKENESS_BENCH_EFC', '128'));
const buildMB = Number(env('LIKENESS_BENCH_BUILD_MB', '256'));
const BATCH = 16;

const t0 = performance.now();
// wall time, this process's CPU time (user + system: what the store itself cost on a shared, loaded machine) and the load average
const cpuS = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};
const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)} +${((performance.now() - t0) / 1000).toFixed(0)}s cpu ${cpuS().toFixed(0)}s load ${loadavg()[0]!.toFixed(1)}] ${msg}`);

async function load(s: GalleryStoreV2, data: Dataset, batch: number): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < n; i += batch) await s.doUpsert(entriesOf(data, i, Math.min(n, i + batch), D));
  return (performance.now() - t) / 1000;
}

/** ms/query over `count` queries sent `perCall` at a time; the ids found per query. */
async function query(s: GalleryStoreV2, queries: Float32Array, count: number, perCall = 1): Promise<{ msPerQuery: number; queries: number; found: string[][] }> {
  await s.doSearch(queries.subarray(0, D), K); // warm-up
  const found: string[][] = [];
  const t = performance.now();
  for (let q = 0; q < count; q += perCall) {
    const m = Math.min(perCall, count - q);
    for (const hits of await s.doSearch(queries.subarray(q * D, (q + m) * D), K)) found.push(hits.map((h) => h.id));
  }
  return { msPerQuery: (performance.now() - t) / count, queries: count, found };
}

/** recall@10 against the truth with a 95 % interval (normal approximation over per-query recalls). */
function recall(data: Dataset, truth: number[][], r: { msPerQuery: number; queries: number; found: string[][] }) {
  const per = r.found.map((ids, q) => {
    const want = new Set(truth[q]!.map((i) => data.ids[i]));
    return ids.filter((id) => want.has(id)).length / K;
  });
  const mean = per.reduce((a, b) => a + b, 0) / per.length;
  const sd = Math.sqrt(per.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, per.length - 1));
  return { msPerQuery: r.msPerQuery, queries: r.queries, recall: mean, ci: (1.96 * sd) / Math.sqrt(per.length) };
}

const rows: string[] = [];
const row = (name: string, r: { msPerQuery: number; queries: number; recall: number; ci: number }, extra: string) => {
  const line = `| ${name} | ${n} | ${extra} | ${r.msPerQuery.toFixed(2)} | ${r.queries} | ${r.recall.toFixed(3)} ± ${r.ci.toFixed(3)} | ${loadavg()[0]!.toFixed(1)} |`;
  rows.push(line);
  log(line);
};

log(`store ${store}, ${n} entries, D = ${D}, k = ${K}`);
const data = faceLikeDataset(n, D, 1);
const nq = Math.max(queriesN, exactQueries, BATCH);
const queries = data.probes(nq, 2);
log(`data ready: intra ${data.stats.intra.toFixed(3)}, nearest other ${data.stats.interNearest.toFixed(3)}, random ${data.stats.inter.toFixed(3)}`);
let t = 0;
let truthMemo: number[][] | undefined;
/** float64 brute force for every query, computed once, when first needed (after the PGlite index build: a long build starts sooner). */
const truthFile = process.env['LIKENESS_BENCH_TRUTH_FILE'];
const truth = (): number[][] => {
  if (!truthMemo && truthFile && existsSync(truthFile)) {
    const saved = JSON.parse(readFileSync(truthFile, 'utf8')) as { n: number; queries: number; truth: number[][] };
    if (saved.n !== n || saved.queries !== nq) throw new Error(`${truthFile} holds the truth for ${saved.n} entries and ${saved.queries} queries, not ${n} and ${nq}`);
    truthMemo = saved.truth;
    log(`float64 brute force for ${nq} queries read from ${truthFile}`);
  }
  if (!truthMemo) {
    const t1 = performance.now();
    truthMemo = exactTopKRows(data, queries, K, D);
    log(`float64 brute force for ${nq} queries: ${((performance.now() - t1) / nq).toFixed(1)} ms/query`);
    if (truthFile) writeFileSync(truthFile, JSON.stringify({ n, queries: nq, truth: truthMemo }));
  }
  return truthMemo;
};

const tmp = mkdtempSync(join(tmpdir(), 'likeness-one-store-'));
try {
  if (store === 'memory') {
    const mem = new MemoryGalleryStore(D, 'l2', n);
    const s = await load(mem, data, 10_000);
    log(`memory (ExactIndex, ${mem.kernel}): loaded in ${s.toFixed(1)} s (${(n / s).toFixed(0)} entries/s), ${mem.bytesPerEntry} bytes/entry`);
    row(`memory (ExactIndex, ${mem.kernel}), 1 query/call`, recall(data, truth(), await query(mem, queries, queriesN, 1)), `${(n / s).toFixed(0)} | ${s.toFixed(1)} | ${mem.bytesPerEntry}`);
    row(`memory (ExactIndex, ${mem.kernel}), ${BATCH} queries/call`, recall(data, truth(), await query(mem, queries, Math.floor(queriesN / BATCH) * BATCH, BATCH)), `${(n / s).toFixed(0)} | ${s.toFixed(1)} | ${mem.bytesPerEntry}`);
    await mem.close();
  } else if (store === 'pglite') {
    const dir = process.env['LIKENESS_BENCH_DATA_DIR'] ?? join(tmp, 'db'); // a given folder is kept (for pglite-query)
    if (existsSync(dir)) throw new Error(`${dir} exists: give pglite a new folder`);
    const db = await PGlite.create({ dataDir: dir, extensions: { vector } });
    const exact = await pgliteGalleryStore({ pglite: db, dimension: D });
    const s = await load(exact, data, 10_000);
    const bytes = (await exact.storageBytes()) / n;
    log(`PGlite exact: loaded in ${s.toFixed(1)} s (${(n / s).toFixed(0)} entries/s), ${bytes.toFixed(0)} bytes/entry`);
    const exactRun = await query(exact, queries, exactQueries);
    log(`PGlite exact: ${exactRun.msPerQuery.toFixed(1)} ms/query over ${exactQueries} queries (checked against float64 after the index build)`);
    await exact.close();
    log(`HNSW build: m = ${hnswM}, ef_construction = ${efConstruction}, maintenance_work_mem = ${buildMB}MB …`);
    const onNotice = (m: { message?: string; detail?: string }): void => {
      if (!/already exists, skipping/.test(m.message ?? '')) log(`notice: ${m.message ?? ''} ${m.detail ?? ''}`);
    };
    // pgvector's notices (e.g. "hnsw graph no longer fits into maintenance_work_mem after N tuples"):
    // PGlite drops them unless a query passes onNotice, so every query of this instance's transactions gets one.
    const transaction = db.transaction.bind(db);
    db.transaction = (fn) =>
      transaction((tx) => {
        const q = tx.query.bind(tx);
        tx.query = ((sql: string, p?: unknown[], o?: object) => q(sql, p, { ...o, onNotice })) as typeof tx.query;
        return fn(tx);
      });
    t = performance.now();
    const h0 = await pgliteGalleryStore({ pglite: db, dimension: D, search: 'hnsw', hnswM, efConstruction, maintenanceWorkMemMB: buildMB });
    const buildS = (performance.now() - t) / 1000;
    const hBytes = (await h0.storageBytes()) / n;
    log(`HNSW built in ${buildS.toFixed(1)} s (${(n / buildS).toFixed(0)} rows/s), ${hBytes.toFixed(0)} bytes/entry with the index`);
    await h0.close();
    row('PGlite exact (folder)', recall(data, truth(), exactRun), `${(n / s).toFixed(0)} | ${s.toFixed(1)} | ${bytes.toFixed(0)}`);
    for (const efSearch of efs) {
      const h = await pgliteGalleryStore({ pglite: db, dimension: D, search: 'hnsw', efSearch });
      row(`PGlite hnsw m=${hnswM} ef_construction=${efConstruction} ef_search=${efSearch} (build ${buildS.toFixed(0)} s, maintenance_work_mem ${buildMB}MB)`, recall(data, truth(), await query(h, queries, queriesN)), `– | ${(s + buildS).toFixed(1)} | ${hBytes.toFixed(0)}`);
      await h.close();
    }
    await db.close();
  } else if (store === 'postgres') {
    const url = process.env['LIKENESS_PG_URL'];
    if (!url) throw new Error('LIKENESS_BENCH_STORE=postgres needs LIKENESS_PG_URL=postgres://… (a server with pgvector)');
    const prefix = `likeness_bench_${process.pid}`;
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    // pgvector's notices (e.g. "hnsw graph no longer fits into maintenance_work_mem after N tuples")
    pool.on('connect', (c) => c.on('notice', (m) => !/already exists, skipping/.test(m.message ?? '') && log(`notice: ${m.message} ${m.detail ?? ''}`)));
    try {
      const settings = await pool.query<{ name: string; setting: string; unit: string | null }>(
        `SELECT name, setting, unit FROM pg_settings WHERE name IN ('server_version', 'max_parallel_maintenance_workers', 'shared_buffers', 'maintenance_work_mem') ORDER BY name`,
      );
      const ext = await pool.query<{ v: string }>(`SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'`);
      log(`server: ${settings.rows.map((r) => `${r.name} ${r.setting}${r.unit ?? ''}`).join(', ')}; pgvector ${ext.rows[0]?.v ?? '(not yet created)'}`);
      const exact = await postgresGalleryStore({ pool, tablePrefix: prefix, dimension: D });
      const s = await load(exact, data, 10_000);
      const bytes = (await exact.storageBytes()) / n;
      log(`Postgres exact: loaded in ${s.toFixed(1)} s (${(n / s).toFixed(0)} entries/s), ${bytes.toFixed(0)} bytes/entry`);
      await pool.query(`VACUUM ANALYZE ${prefix}_d${D}`);
      const exactRun = await query(exact, queries, exactQueries);
      log(`Postgres exact: ${exactRun.msPerQuery.toFixed(1)} ms/query over ${exactQueries} queries (checked against float64 after the index build)`);
      await exact.close();
      log(`HNSW build: m = ${hnswM}, ef_construction = ${efConstruction}, maintenance_work_mem = ${buildMB}MB …`);
      t = performance.now();
      const h0 = await postgresGalleryStore({ pool, tablePrefix: prefix, dimension: D, search: 'hnsw', hnswM, efConstruction, maintenanceWorkMemMB: buildMB });
      const buildS = (performance.now() - t) / 1000;
      const hBytes = (await h0.storageBytes()) / n;
      log(`HNSW built in ${buildS.toFixed(1)} s (${(n / buildS).toFixed(0)} rows/s), ${hBytes.toFixed(0)} bytes/entry with the index`);
      await h0.close();
      const exactRecall = recall(data, truth(), exactRun);
      row('Postgres exact', exactRecall, `${(n / s).toFixed(0)} | ${s.toFixed(1)} | ${bytes.toFixed(0)}`);
      const hnswRuns: { efSearch: number; ms: number }[] = [];
      for (const efSearch of efs) {
        const h = await postgresGalleryStore({ pool, tablePrefix: prefix, dimension: D, search: 'hnsw', efSearch });
        const r = recall(data, truth(), await query(h, queries, queriesN));
        hnswRuns.push({ efSearch, ms: r.msPerQuery });
        row(`Postgres hnsw m=${hnswM} ef_construction=${efConstruction} ef_search=${efSearch} (build ${buildS.toFixed(0)} s, maintenance_work_mem ${buildMB}MB)`, r, `– | ${(s + buildS).toFixed(1)} | ${hBytes.toFixed(0)}`);
        await h.close();
      }
      // the in-memory exact store on the same data and queries, in the same run
      const mem = new MemoryGalleryStore(D, 'l2', n);
      const ms = await load(mem, data, 10_000);
      const memRun = recall(data, truth(), await query(mem, queries, queriesN, 1));
      row(`memory (ExactIndex, ${mem.kernel}), 1 query/call`, memRun, `${(n / ms).toFixed(0)} | ${ms.toFixed(1)} | ${mem.bytesPerEntry}`);
      await mem.close();
      log(`ratios to the memory store (ms/query): Postgres exact ${(exactRecall.msPerQuery / memRun.msPerQuery).toFixed(2)}×, ${hnswRuns.map((h) => `hnsw ef_search ${h.efSearch} ${(h.ms / memRun.msPerQuery).toFixed(2)}×`).join(', ')}; enrolment ${(ms / s).toFixed(3)}× the memory store's entries/s`);
    } finally {
      if (!process.env['LIKENESS_BENCH_KEEP']) {
        const tables = await pool.query<{ n: string }>(`SELECT tablename AS n FROM pg_tables WHERE tablename LIKE $1`, [`${prefix}%`]);
        for (const { n: name } of tables.rows) await pool.query(`DROP TABLE IF EXISTS ${name}`);
      }
      await pool.end();
    }
  } else if (store === 'truth') {
    if (!truthFile) throw new Error('LIKENESS_BENCH_STORE=truth needs LIKENESS_BENCH_TRUTH_FILE');
    truth();
  } else if (store === 'pglite-query') {
    // queries only, on a folder left by an earlier pglite run (its rows and HNSW index), e.g. one stopped after its build
    const dir = process.env['LIKENESS_BENCH_DATA_DIR'];
    if (!dir || !existsSync(dir)) throw new Error('LIKENESS_BENCH_STORE=pglite-query needs LIKENESS_BENCH_DATA_DIR, the folder of an earlier pglite run');
    const db = await PGlite.create({ dataDir: dir, extensions: { vector } });
    const index = await db.query<{ def: string }>(`SELECT indexdef AS def FROM pg_indexes WHERE tablename = 'likeness_gallery_d${D}' AND indexdef LIKE '% USING hnsw %'`);
    if (index.rows.length !== 1) throw new Error(`${dir} has no HNSW index on likeness_gallery_d${D}`);
    log(`reusing ${dir}: ${index.rows[0]!.def}`);
    const exact = await pgliteGalleryStore({ pglite: db, dimension: D });
    if ((await exact.count()) !== n) throw new Error(`${dir} holds ${await exact.count()} entries, not ${n}`);
    const exactRun = await query(exact, queries, exactQueries);
    const bytes = (await exact.storageBytes()) / n;
    await exact.close();
    row('PGlite exact (folder)', recall(data, truth(), exactRun), `– | – | ${bytes.toFixed(0)}`);
    for (const efSearch of efs) {
      const h = await pgliteGalleryStore({ pglite: db, dimension: D, search: 'hnsw', efSearch });
      row(`PGlite hnsw ef_search=${efSearch}`, recall(data, truth(), await query(h, queries, queriesN)), `– | – | ${bytes.toFixed(0)}`);
      await h.close();
    }
    await db.close();
  } else {
    throw new Error(`LIKENESS_BENCH_STORE: expected memory, pglite, postgres, pglite-query or truth, got ${store}`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
console.log('\n| store | entries | enrol entries/s | load s | bytes/entry | ms/query | queries | recall@10 | load avg |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(r);
log('done');
