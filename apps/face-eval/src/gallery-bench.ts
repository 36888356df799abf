/**
 * Gallery exact search benchmark: ms/query at 10k, 100k and 1M entries of
 * D = 128 (k = 10), one query per call and 16 per call, medians of
 * BENCH_REPS repeats, for
 *   - `ExactIndex` with its WebAssembly SIMD kernel on the calling thread
 *     (`search`, what `threads: 1` does),
 *   - the same index's `searchAsync` on 2 worker threads (what
 *     `MemoryGalleryStore` does by default), timed interleaved with the
 *     row above (rep by rep) so that both see the same load,
 *   - `ExactIndex` with the plain-JS kernel (the fallback without WebAssembly SIMD),
 *   - the tfjs path: the previous `MemoryGalleryStore` (float32 mirror on the
 *     backend, one matMul + topk per block of 262,144, blocks merged),
 * with ratios to the one-thread SIMD kernel, bytes per entry, a check that the
 * answers equal float64 brute force, and the load average before each size
 * (the machine's cores are shared). `pnpm bench` runs it after the encoder
 * benchmark; alone: `pnpm --filter @likeness-example/face-eval bench:gallery`
 * (BENCH_THREADS, default 2, sets the wasm backend's threads and the index's;
 * BENCH_GALLERY_SIZES=10000,100000 picks sizes; BENCH_GALLERY_ONLY_SIMD=1
 * times only the two SIMD rows).
 */
import '@likeness/backends/wasm';
import * as tf from '@tensorflow/tfjs-core';
import { env, useBackend } from '@likeness/backends';
import { ExactIndex, type ExactIndexKernel } from '@likeness/embeddings';
import { loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';

const D = 128;
const K = 10;

/** Deterministic unit vectors (D = 128) in one flat array. */
function unitRows(n: number, seed: number): Float32Array {
  const out = new Float32Array(n * D);
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 4294967296 - 0.5;
  }
  for (let r = 0; r < n; r++) {
    let norm = 0;
    for (let k = 0; k < D; k++) norm += out[r * D + k]! ** 2;
    norm = Math.sqrt(norm);
    for (let k = 0; k < D; k++) out[r * D + k]! /= norm;
  }
  return out;
}

/**
 * The previous MemoryGalleryStore's search, kept here as the tfjs path: the
 * rows mirrored on the backend in blocks, one matMul + topk per block.
 */
class TfjsBlockSearch {
  private blocks: { matrix: tf.Tensor2D; sqNorms: tf.Tensor2D; start: number; count: number }[] = [];

  constructor(data: Float32Array, blockSize = 262_144) {
    const n = data.length / D;
    for (let start = 0; start < n; start += blockSize) {
      const count = Math.min(blockSize, n - start);
      const made = tf.tidy(() => {
        const matrix = tf.tensor2d(data.subarray(start * D, (start + count) * D), [count, D]);
        const sqNorms = tf.reshape(tf.sum(tf.square(matrix), 1), [1, count]) as tf.Tensor2D;
        return { matrix, sqNorms };
      });
      this.blocks.push({ ...made, start, count });
    }
  }

  async search(queries: Float32Array, k: number): Promise<{ rows: number[]; distances: number[] }[]> {
    const Q = queries.length / D;
    const q = tf.tensor2d(queries, [Q, D]);
    const per: { values: Float32Array; indices: Int32Array; start: number; k: number }[] = [];
    for (const b of this.blocks) {
      const kb = Math.min(k, b.count);
      const { values, indices } = tf.tidy(() => {
        const q2 = tf.sum(tf.square(q), 1, true);
        const d = tf.relu(tf.add(tf.sub(q2, tf.mul(2, tf.matMul(q, b.matrix, false, true))), b.sqNorms));
        const top = tf.topk(tf.neg(d), kb, true);
        return { values: tf.neg(top.values), indices: top.indices };
      });
      const [v, i] = await Promise.all([values.data(), indices.data()]);
      tf.dispose([values, indices]);
      per.push({ values: v as Float32Array, indices: i as Int32Array, start: b.start, k: kb });
    }
    q.dispose();
    return Array.from({ length: Q }, (_, r) => {
      const hits: { row: number; d: number }[] = [];
      for (const p of per) for (let j = 0; j < p.k; j++) hits.push({ row: p.start + p.indices[r * p.k + j]!, d: Math.sqrt(Math.max(0, p.values[r * p.k + j]!)) });
      hits.sort((a, b) => a.d - b.d);
      const top = hits.slice(0, k);
      return { rows: top.map((h) => h.row), distances: top.map((h) => h.d) };
    });
  }

  /** Backend bytes held. */
  get bytes(): number {
    return this.blocks.reduce((s, b) => s + (b.count * D + b.count) * 4, 0);
  }

  dispose(): void {
    for (const b of this.blocks) tf.dispose([b.matrix, b.sqNorms]);
  }
}

/** Float64 brute force: the k nearest rows (ties: lower row first) of each query. */
function bruteForce(data: Float32Array, queries: Float32Array, k: number): { rows: number[]; distances: number[] }[] {
  const n = data.length / D;
  return Array.from({ length: queries.length / D }, (_, q) => {
    const dist = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let c = 0; c < D; c++) {
        const d = data[r * D + c]! - queries[q * D + c]!;
        s += d * d;
      }
      dist[r] = Math.sqrt(s);
    }
    const top = Array.from({ length: n }, (_, i) => i).sort((a, b) => dist[a]! - dist[b]! || a - b).slice(0, k);
    return { rows: top, distances: top.map((r) => dist[r]!) };
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Median ms per query of `reps` calls with one query and with 16, after three warm-ups each. */
async function timeSearch(search: (q: Float32Array) => unknown, queries: Float32Array, reps: number): Promise<{ single: number; batched: number }> {
  return (await timeInterleaved([search], queries, reps))[0]!;
}

/**
 * {@link timeSearch} for several searches, taking turns within each repeat
 * (so that a change of load on the shared cores hits all of them alike).
 */
async function timeInterleaved(searches: readonly ((q: Float32Array) => unknown)[], queries: Float32Array, reps: number, warmUps = 3): Promise<{ single: number; batched: number }[]> {
  const single = searches.map(() => [] as number[]);
  const batched = searches.map(() => [] as number[]);
  for (const search of searches) {
    for (let w = 0; w < warmUps; w++) {
      // warm-up: lets V8 tier the kernels up (WebAssembly starts in its baseline compiler; the workers' JS starts cold)
      await search(queries.subarray(0, D));
      await search(queries);
    }
  }
  for (let r = 0; r < reps; r++) {
    for (const [i, search] of searches.entries()) {
      let t = performance.now();
      await search(queries.subarray((r % 16) * D, (r % 16 + 1) * D));
      single[i]!.push(performance.now() - t);
      t = performance.now();
      await search(queries);
      batched[i]!.push((performance.now() - t) / 16);
    }
  }
  return searches.map((_, i) => ({ single: median(single[i]!), batched: median(batched[i]!) }));
}

function sameAsReference(got: readonly { rows: Int32Array; distances: Float64Array }[], reference: readonly { rows: number[]; distances: number[] }[]): string {
  const same = got.every((g, q) => Array.from(g.rows).join() === reference[q]!.rows.join() && Array.from(g.distances).join() === reference[q]!.distances.join());
  return same ? 'identical (rows and distances)' : 'DIFFERENT';
}

function load(): string {
  return loadavg().map((x) => x.toFixed(2)).join(' / ');
}

/**
 * How many cores this process gets right now: CPU time over wall time of
 * `threads` threads that spin for 0.5 s (2.0 on two idle cores; less when
 * other jobs share them, which caps what worker threads can gain).
 */
async function coresAvailable(threads: number): Promise<number> {
  const spin = "const t = Date.now(); let x = 0; while (Date.now() - t < 500) x++; require('node:worker_threads').parentPort.postMessage(x);";
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: threads }, () => new Promise((resolve, reject) => {
    const w = new Worker(spin, { eval: true });
    w.once('message', resolve);
    w.once('error', reject);
  })));
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / 1000 / (performance.now() - t0);
}

/**
 * Prints the exact-search table (see the file header) for the given sizes.
 * The tfjs rows run on whatever backend is active.
 */
export async function benchGallery(sizes: readonly number[] = [10_000, 100_000, 1_000_000], threads = 2): Promise<void> {
  const reps = Number(process.env.BENCH_REPS ?? 7);
  const onlySimd = process.env.BENCH_GALLERY_ONLY_SIMD === '1';
  console.log(`\nGallery exact search (D = 128, L2, k = ${K}), median ms/query of ${reps} repeats; tfjs path on ${tf.getBackend()}` +
    ` (threads ${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? env.wasm.numThreads ?? 'default' : 1}); 2 shared cores, figures are noisy`);
  console.log('| entries | load avg 1/5/15 min; cores 2 spinning threads got | search | bytes/entry | 1 query per call | ratio | 16 queries per call | ratio | answers vs float64 brute force |\n|---|---|---|---|---|---|---|---|---|');
  for (const n of sizes) {
    const data = unitRows(n, n);
    const queries = unitRows(16, 7);
    const reference = bruteForce(data, queries, K);
    const before = `${load()}; ${(await coresAvailable(2)).toFixed(2)}`;
    const rows: { name: string; bytes: number; t: { single: number; batched: number }; check: string }[] = [];
    {
      // one index, one copy of the rows: search() on this thread, searchAsync() on the workers
      const index = new ExactIndex(D, 'l2', { kernel: 'wasm-simd', capacity: n, threads });
      index.add(data);
      const [one, many] = await timeInterleaved([(q) => index.search(q, K), (q) => index.searchAsync(q, K)], queries, reps, 10);
      const used = Math.min(index.threads, Math.floor(n / 8192)); // minRowsPerThread's default
      rows.push({ name: 'ExactIndex, wasm-simd, 1 thread (`search`, `threads: 1`)', bytes: index.byteLength / n, t: one!, check: sameAsReference(index.search(queries, K), reference) });
      rows.push({
        name: `ExactIndex, wasm-simd, \`searchAsync\` (default), ${used > 1 ? `${used} worker threads` : 'calling thread (< 2 × 8192 rows)'}`,
        bytes: index.byteLength / n, t: many!, check: sameAsReference(await index.searchAsync(queries, K), reference),
      });
      await index.close();
    }
    if (onlySimd) {
      printRows(n, before, rows);
      continue;
    }
    {
      const kernel: ExactIndexKernel = 'js';
      const index = new ExactIndex(D, 'l2', { kernel, capacity: n });
      index.add(data);
      const t = await timeSearch((q) => index.search(q, K), queries, n >= 1_000_000 ? Math.min(reps, 5) : reps);
      rows.push({ name: 'ExactIndex, js kernel, 1 thread', bytes: index.byteLength / n, t, check: sameAsReference(index.search(queries, K), reference) });
      index.dispose();
    }
    const tfjs = new TfjsBlockSearch(data);
    const t = await timeSearch((q) => tfjs.search(q, K), queries, reps);
    const got = await tfjs.search(queries, K);
    let rowDiff = 0, maxErr = 0;
    got.forEach((g, q) => {
      g.rows.forEach((r, j) => { if (r !== reference[q]!.rows[j]) rowDiff++; maxErr = Math.max(maxErr, Math.abs(g.distances[j]! - reference[q]!.distances[j]!)); });
    });
    rows.push({ name: 'tfjs matMul + topk in blocks (previous store)', bytes: (data.byteLength + tfjs.bytes) / n, t, check: `${rowDiff}/${16 * K} ranks differ, max |Δdistance| ${maxErr.toExponential(1)}` });
    tfjs.dispose();
    printRows(n, before, rows);
  }
  console.log(`load average after: ${load()}`);
  await bandwidthCeiling();
}

function printRows(n: number, load: string, rows: readonly { name: string; bytes: number; t: { single: number; batched: number }; check: string }[]): void {
  const base = rows[0]!.t;
  for (const r of rows) {
    console.log(`| ${n.toLocaleString('en')} | ${load} | ${r.name} | ${r.bytes.toFixed(0)} | ${r.t.single.toFixed(2)} | ${(r.t.single / base.single).toFixed(2)}× | ${r.t.batched.toFixed(2)} | ${(r.t.batched / base.batched).toFixed(2)}× | ${r.check} |`);
  }
}

/** The memory-bandwidth ceiling for comparison: ms to sum 1M×128 int8 and float32 once (wasm-speed JS loops are slower; this is a lower bound). */
async function bandwidthCeiling(): Promise<void> {
  const bytes = new Uint8Array(128 << 20);
  for (let i = 0; i < bytes.length; i += 4096) bytes[i] = i & 255;
  const copy = new Uint8Array(bytes.length);
  const times: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    copy.set(bytes); // memcpy: reads 128 MiB and writes 128 MiB
    times.push(performance.now() - t);
  }
  const ms = median(times);
  const gbs = (2 * bytes.length) / ms / 1e6;
  console.log(`memory bandwidth here: memcpy of 128 MiB in ${ms.toFixed(1)} ms = ${gbs.toFixed(1)} GB/s (read + write); at that rate one read of the int8 copy of 1M × 128 (128 MiB) takes ≈ ${(ms / 2).toFixed(0)} ms, of the float32 matrix (512 MiB) ≈ ${(ms * 2).toFixed(0)} ms`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const threads = Number(process.env.BENCH_THREADS ?? 2);
  env.wasm.numThreads = threads;
  await useBackend('wasm');
  const sizes = process.env.BENCH_GALLERY_SIZES ? process.env.BENCH_GALLERY_SIZES.split(',').map(Number) : undefined;
  await benchGallery(sizes, threads);
}
