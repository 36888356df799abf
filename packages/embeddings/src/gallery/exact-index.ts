import { InvalidArgumentError, ShapeError } from '@likeness/backends';
import { DISTANCE_METRICS, type DistanceMetric } from '../distance/distance-metric';
import { EXACT_INDEX_KERNEL_BASE64, EXACT_INDEX_KERNEL_SHARED_BASE64 } from './exact-index-kernel';
import { scanRange, type Scan, type ScanCandidates, type ScanWorkspace } from './exact-index-scan';
import { defaultExactIndexThreads, exactIndexCanUseThreads, ExactIndexWorkers, type ExactIndexScanReply } from './exact-index-workers';

/**
 * Which coarse-pass kernel an {@link ExactIndex} runs: `'wasm-simd'` (the
 * embedded WebAssembly SIMD module, the default where the runtime has SIMD)
 * or `'js'` (plain typed-array loops, everywhere).
 */
export type ExactIndexKernel = 'wasm-simd' | 'js';

/** Options of {@link ExactIndex}. */
export interface ExactIndexOptions {
  /** Rows allocated up front; the index doubles as it fills. @defaultValue 1024 */
  capacity?: number;
  /** `'auto'` picks `'wasm-simd'` when WebAssembly SIMD is available, else `'js'`. @defaultValue `'auto'` */
  kernel?: ExactIndexKernel | 'auto';
  /** Rows per coarse-pass block (the kernel writes block × 16 int32 scores at a time). @defaultValue 8192 */
  blockSize?: number;
  /**
   * Threads that {@link ExactIndex.searchAsync} splits the rows over: with
   * more than 1, the int8 rows live in shared WebAssembly memory and that
   * many worker threads each scan a contiguous share of them (no copy), the
   * calling thread merges and re-ranks. `1` searches on the calling thread.
   * Needs the `'wasm-simd'` kernel and Node ≥ 20.16 (`worker_threads`);
   * browsers and other runtimes search on one thread whatever is asked
   * ({@link ExactIndex.threads} says which).
   * @defaultValue min(2, available parallelism) in Node, 1 elsewhere
   */
  threads?: number;
  /**
   * Fewest rows a worker thread is given: a search uses
   * min(threads, ⌊size / minRowsPerThread⌋) workers, and stays on the
   * calling thread when that is ≤ 1 (small indexes answer faster there
   * than a round trip to the workers takes).
   * @defaultValue 8192
   */
  minRowsPerThread?: number;
}

/** The k nearest rows of one query, nearest first (ties: lower row first). */
export interface ExactSearchResult {
  /** Row indices into the index. */
  readonly rows: Int32Array;
  /** Their distances in the index's metric, computed in float64 from the stored float32 rows. */
  readonly distances: Float64Array;
}

/** Queries quantised per call (the kernel's query block). */
const QUERY_GROUP = 16;
/** Per-row metadata (float64): A, B, W1, W2; see `scanRange`. */
const META = 4;
/** Per-query constants (float64) the kernel reads: cq, wq1, wq2, wq0, T. */
const QC = 5;
/** Relative slack that covers float64 rounding in the bounds and in the re-rank (D·2⁻⁵³ ≪ 1e-9). */
const EPS = 1e-9;
const MAX_DIMENSION = 65_536; // keeps Σ int8·int16 over a row far inside int32
const MAX_THREADS = 256;
/** WebAssembly pages (64 KiB) a shared memory may grow to: 4 GiB, wasm32's limit. */
const SHARED_MAX_PAGES = 65_536;

let wasmModule: WebAssembly.Module | null | undefined;
let sharedModule: WebAssembly.Module | null | undefined;

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** The compiled kernel, or null where WebAssembly SIMD is unavailable. */
function kernelModule(): WebAssembly.Module | null {
  if (wasmModule !== undefined) return wasmModule;
  wasmModule = null;
  try {
    if (typeof WebAssembly === 'object' && typeof atob === 'function') {
      const bytes = decodeBase64(EXACT_INDEX_KERNEL_BASE64);
      if (WebAssembly.validate(bytes)) wasmModule = new WebAssembly.Module(bytes);
    }
  } catch {
    wasmModule = null;
  }
  return wasmModule;
}

/** The kernel over an imported shared memory (for the calling thread and the workers), or null where it cannot compile. */
function sharedKernel(): WebAssembly.Module | null {
  if (sharedModule !== undefined) return sharedModule;
  sharedModule = null;
  try {
    const bytes = decodeBase64(EXACT_INDEX_KERNEL_SHARED_BASE64);
    if (WebAssembly.validate(bytes)) sharedModule = new WebAssembly.Module(bytes);
  } catch {
    sharedModule = null;
  }
  return sharedModule;
}

/** Whether this runtime can run the `'wasm-simd'` kernel. @example `exactIndexHasWasmSimd() // true in Node 20` */
export function exactIndexHasWasmSimd(): boolean {
  return kernelModule() !== null;
}

/**
 * Exact k-nearest-neighbour search over N float32 rows of length D, near
 * memory speed. It holds one float32 copy of the rows plus an int8 copy
 * (each row scaled by max|x|/127) and four float64 numbers per row: a
 * coarse pass computes exact integer dot products of the int8 rows with the
 * int8-quantised queries (a WebAssembly SIMD kernel, or plain JS), bounds
 * every row's true distance from above and below with the quantisation
 * error (Cauchy–Schwarz on the per-row and per-query residual norms), keeps
 * every row whose lower bound is not above the k-th smallest upper bound,
 * and re-ranks those in float64 from the float32 rows. The answer is
 * therefore identical to brute force in float64, not approximate; only the
 * number of re-ranked rows depends on the data.
 *
 * Metrics as everywhere in this package: `'l2'` √Σ(x−y)², `'squared-l2'`
 * Σ(x−y)², `'cosine'` 1 − x·y/(‖x‖‖y‖) (1 when either is zero).
 * Memory: 4·D + ⌈D/16⌉·16 + 32 bytes per row ({@link ExactIndex.bytesPerEntry};
 * 672 at D = 128), plus up to 2× capacity headroom while growing.
 * Removing swaps the last row into the hole.
 *
 * {@link ExactIndex.search} runs on the calling thread;
 * {@link ExactIndex.searchAsync} splits the rows over
 * {@link ExactIndexOptions.threads} worker threads (default 2 in Node where
 * 2 cores are available), which scan the one shared int8 copy in place and
 * return their candidates; the answers are the same. Idle workers never keep
 * a process alive; {@link ExactIndex.close} (or `dispose`) stops them.
 *
 * @example
 * ```ts
 * const index = new ExactIndex(128, 'l2');
 * index.add(embeddings);                          // Float32Array [N·128] (or an array of rows)
 * const [hit] = index.search(probe, 10);          // probe: Float32Array [128] → one result
 * hit.rows; hit.distances;                        // Int32Array [10], Float64Array [10], nearest first
 * index.remove([3]);                              // → [[N-1, 3]]: the last row moved into row 3
 * const [again] = await index.searchAsync(probe, 10); // the same answer, rows split over the worker threads
 * await index.close();                            // stops the workers
 * ```
 */
export class ExactIndex {
  /** Row length padded to the kernel's 16 bytes. */
  private readonly dp: number;
  /** Bytes per row record: dp int8 codes, then META float64. */
  private readonly stride: number;
  private readonly blockSize: number;
  private readonly minRowsPerThread: number;
  private count = 0;
  private cap: number;
  private f32: Float32Array;
  // row records (int8 codes + metadata), in the WebAssembly memory or a plain buffer
  private recU8!: Uint8Array;
  private recI8!: Int8Array;
  private recF64!: Float64Array;
  // the kernel's workspace: quantised queries, per-query constants, emitted counts and (row, S) pairs
  private ws!: ScanWorkspace;
  private memory: WebAssembly.Memory | null = null;
  private scan: Scan | null = null;
  private readonly qcOff: number;
  private readonly cntOff: number;
  private readonly outOff: number;
  /** Bytes of one thread's workspace (the calling thread's at 0, worker i's at (i + 1)·wsSize). */
  private readonly wsSize: number;
  private readonly recOff: number;
  private disposed = false;
  private currentKernel: ExactIndexKernel;
  private threadCount: number;
  private workers: ExactIndexWorkers | null = null;
  /** Threaded searches under way (rows must not move meanwhile). */
  private searching = 0;

  /**
   * @param dimension length of every row (e.g. 128).
   * @param metric the distance `search` ranks by. @defaultValue 'l2'
   * @param options kernel, block size and worker threads (see {@link ExactIndexOptions}).
   */
  constructor(readonly dimension: number, readonly metric: DistanceMetric = 'l2', options: ExactIndexOptions = {}) {
    const fn = 'ExactIndex';
    if (!Number.isInteger(dimension) || dimension < 1 || dimension > MAX_DIMENSION) {
      throw new InvalidArgumentError({ fn, argument: 'dimension', message: `expected an integer in [1, ${MAX_DIMENSION}] such as 128, got ${String(dimension)}.` });
    }
    if (!DISTANCE_METRICS.includes(metric)) {
      throw new InvalidArgumentError({ fn, argument: 'metric', message: `expected one of ${DISTANCE_METRICS.join(', ')}, got ${JSON.stringify(metric)}.` });
    }
    const capacity = options.capacity ?? 1024;
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new InvalidArgumentError({ fn, argument: 'options.capacity', message: `expected an integer ≥ 0, got ${String(capacity)}.` });
    }
    this.blockSize = options.blockSize ?? 8192;
    if (!Number.isInteger(this.blockSize) || this.blockSize < 1) {
      throw new InvalidArgumentError({ fn, argument: 'options.blockSize', message: `expected a positive integer such as 8192, got ${String(options.blockSize)}.` });
    }
    const kernel = options.kernel ?? 'auto';
    if (kernel !== 'auto' && kernel !== 'wasm-simd' && kernel !== 'js') {
      throw new InvalidArgumentError({ fn, argument: 'options.kernel', message: `expected 'auto', 'wasm-simd' or 'js', got ${JSON.stringify(kernel)}.` });
    }
    const threads = options.threads;
    if (threads !== undefined && (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS)) {
      throw new InvalidArgumentError({ fn, argument: 'options.threads', message: `expected an integer in [1, ${MAX_THREADS}] such as 2 (or leave it out for min(2, available cores)), got ${String(threads)}.` });
    }
    if (kernel === 'js' && threads !== undefined && threads > 1) {
      throw new InvalidArgumentError({ fn, argument: 'options.threads', message: `the 'js' kernel runs on one thread; use kernel: 'wasm-simd' (or 'auto') for threads: ${threads}, or threads: 1.` });
    }
    const module = kernel === 'js' ? null : kernelModule();
    if (kernel === 'wasm-simd' && !module) {
      throw new InvalidArgumentError({ fn, argument: 'options.kernel', message: "this runtime has no WebAssembly SIMD; use kernel: 'js' or 'auto'." });
    }
    this.minRowsPerThread = options.minRowsPerThread ?? 8192;
    if (!Number.isInteger(this.minRowsPerThread) || this.minRowsPerThread < 1) {
      throw new InvalidArgumentError({ fn, argument: 'options.minRowsPerThread', message: `expected a positive integer such as 8192, got ${String(options.minRowsPerThread)}.` });
    }
    const shared = module && (threads ?? 2) > 1 && exactIndexCanUseThreads() ? sharedKernel() : null;
    this.threadCount = shared ? (threads ?? defaultExactIndexThreads()) : 1;
    this.dp = Math.ceil(dimension / 16) * 16;
    this.stride = this.dp + 8 * META;
    this.cap = Math.max(1, capacity);
    this.f32 = new Float32Array(this.cap * dimension);
    // workspace layout (byte offsets; every part 8-byte aligned, records 16-byte aligned)
    this.qcOff = QUERY_GROUP * this.dp * 2;
    this.cntOff = this.qcOff + QUERY_GROUP * QC * 8;
    this.outOff = this.cntOff + QUERY_GROUP * 4;
    this.wsSize = this.outOff + QUERY_GROUP * this.blockSize * 8;
    this.recOff = this.wsSize * (this.threadCount > 1 ? 1 + this.threadCount : 1);
    this.currentKernel = module ? 'wasm-simd' : 'js';
    if (module) {
      let instance: WebAssembly.Instance;
      if (shared && this.threadCount > 1) {
        const pages = Math.ceil((this.recOff + this.cap * this.stride) / 65_536);
        if (pages > SHARED_MAX_PAGES) throw new InvalidArgumentError({ fn, argument: 'options.capacity', message: `${capacity} rows do not fit in WebAssembly's 4 GiB; pass a smaller capacity (the index grows as it fills).` });
        this.memory = new WebAssembly.Memory({ initial: pages, maximum: SHARED_MAX_PAGES, shared: true });
        instance = new WebAssembly.Instance(shared, { env: { memory: this.memory } });
      } else {
        instance = new WebAssembly.Instance(module, {});
        this.memory = instance.exports.memory as WebAssembly.Memory;
        this.growMemory(this.recOff + this.cap * this.stride);
      }
      this.scan = instance.exports.scan as Scan;
      this.refreshViews();
    } else {
      this.useJsBuffers(new ArrayBuffer(this.cap * this.stride));
    }
  }

  /** Number of rows. */
  get size(): number {
    return this.count;
  }

  /** The kernel in use (`'auto'` resolved). */
  get kernel(): ExactIndexKernel {
    return this.currentKernel;
  }

  /** Threads {@link ExactIndex.searchAsync} uses (1: the calling thread only). @example `new ExactIndex(128).threads // 2 in Node on ≥ 2 cores` */
  get threads(): number {
    return this.threadCount;
  }

  /** Bytes held per row: float32 row, int8 row (padded to 16), 4 float64. */
  get bytesPerEntry(): number {
    return 4 * this.dimension + this.stride;
  }

  /** Bytes allocated now (rows × capacity, plus the kernel's query and score buffers). */
  get byteLength(): number {
    return this.f32.byteLength + (this.memory ? this.memory.buffer.byteLength : this.recU8.byteLength + this.recOff);
  }

  /**
   * Appends rows; returns the index of the first. All rows are checked
   * (length D, finite) before anything changes.
   *
   * @example
   * ```ts
   * const first = index.add(new Float32Array(3 * 128)); // rows first … first + 2
   * ```
   */
  add(rows: Float32Array | readonly ArrayLike<number>[]): number {
    const fn = 'ExactIndex.add';
    this.assertAlive(fn);
    const flat = this.flatten(rows, fn, 'rows');
    const n = flat.length / this.dimension;
    const first = this.count;
    this.reserve(first + n);
    const D = this.dimension;
    this.f32.set(flat, first * D);
    for (let r = first; r < first + n; r++) this.quantiseRow(r);
    this.count += n;
    return first;
  }

  /**
   * Removes rows by index: each hole is filled with the current last row.
   * Returns the moves `[from, to]` in the order they happened, so a caller
   * keeping per-row data can replay them (`data[to] = data[from]`) and then
   * truncate to {@link ExactIndex.size}.
   *
   * @example
   * ```ts
   * index.remove([0, 5]); // size 10 → 8; e.g. [[9, 5], [8, 0]]
   * ```
   */
  remove(rows: readonly number[]): Array<[from: number, to: number]> {
    const fn = 'ExactIndex.remove';
    this.assertAlive(fn);
    this.assertNotSearching(fn);
    if (!Array.isArray(rows)) throw new InvalidArgumentError({ fn, argument: 'rows', message: 'expected an array of row indices.' });
    for (const r of rows) {
      if (!Number.isInteger(r) || r < 0 || r >= this.count) {
        throw new InvalidArgumentError({ fn, argument: 'rows', message: `expected row indices in [0, ${this.count - 1}], got ${String(r)}.` });
      }
    }
    const sorted = [...new Set(rows)].sort((a, b) => b - a);
    const moves: Array<[number, number]> = [];
    const D = this.dimension, st = this.stride;
    for (const r of sorted) {
      const last = this.count - 1;
      if (r !== last) {
        this.f32.copyWithin(r * D, last * D, (last + 1) * D);
        this.recU8.copyWithin(r * st, last * st, (last + 1) * st);
        moves.push([last, r]);
      }
      this.count--;
    }
    return moves;
  }

  /** Removes every row (capacity is kept). @example `index.clear(); index.size // 0` */
  clear(): void {
    this.assertAlive('ExactIndex.clear');
    this.assertNotSearching('ExactIndex.clear');
    this.count = 0;
  }

  /** The float32 rows, row-major (a view: copy it before the index changes). @example `index.vectors().length // size · D` */
  vectors(): Float32Array {
    return this.f32.subarray(0, this.count * this.dimension);
  }

  /** One float32 row (a view). @example `index.row(0) // Float32Array [D]` */
  row(i: number): Float32Array {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) {
      throw new InvalidArgumentError({ fn: 'ExactIndex.row', argument: 'i', message: `expected a row index in [0, ${this.count - 1}], got ${String(i)}.` });
    }
    return this.f32.subarray(i * this.dimension, (i + 1) * this.dimension);
  }

  /**
   * The `min(k, size)` nearest rows of each query, nearest first, with
   * distances equal to brute force in float64 (ties: lower row first).
   * Runs on the calling thread; {@link ExactIndex.searchAsync} gives the
   * same answer from the worker threads.
   *
   * @example
   * ```ts
   * const results = index.search(queries, 10); // queries Float32Array [Q·D] → Q results of ≤ 10 rows
   * ```
   */
  search(queries: Float32Array | readonly ArrayLike<number>[], k: number): ExactSearchResult[] {
    const fn = 'ExactIndex.search';
    const { flat, kk, Q } = this.checkSearch(queries, k, fn);
    const D = this.dimension;
    const results: ExactSearchResult[] = [];
    if (kk === 0) return emptyResults(Q);
    for (let g0 = 0; g0 < Q; g0 += QUERY_GROUP) {
      const g = Math.min(QUERY_GROUP, Q - g0);
      const group = flat.subarray(g0 * D, (g0 + g) * D);
      const qz = this.quantiseQueries(group, g);
      this.ws.q16.fill(0);
      this.ws.q16.set(qz.q16);
      const found = scanRange(this.scan, this.recI8, this.recF64, this.recOff, this.stride, this.dp, this.ws, 0, this.count, this.blockSize, g, kk, qz.cq, qz.wq1, qz.wq2, qz.wq0);
      for (let q = 0; q < g; q++) {
        results.push(this.rerank(group.subarray(q * D, (q + 1) * D), [found.candidates[q]!], [found.upperBounds[q]!], kk));
      }
    }
    return results;
  }

  /**
   * {@link ExactIndex.search} with the rows split over the worker threads
   * ({@link ExactIndex.threads}; on the calling thread when that is 1 or
   * the index has fewer than 2 × {@link ExactIndexOptions.minRowsPerThread}
   * rows; the first threaded search starts the workers, ≈ 0.1 s): each
   * worker scans its contiguous share of the one shared int8 copy and
   * returns its candidates, which are merged and re-ranked here in float64.
   * The answer is the same as `search`'s, row for row and bit for bit. The
   * index may grow (`add`) meanwhile — rows added after the call are not
   * searched — but rows cannot be removed until the promise settles.
   *
   * @example
   * ```ts
   * const results = await index.searchAsync(queries, 10); // queries Float32Array [Q·D] → Q results of ≤ 10 rows
   * ```
   */
  async searchAsync(queries: Float32Array | readonly ArrayLike<number>[], k: number): Promise<ExactSearchResult[]> {
    const fn = 'ExactIndex.searchAsync';
    const { flat: given, kk, Q } = this.checkSearch(queries, k, fn);
    if (kk === 0) return emptyResults(Q);
    const n = this.count;
    const W = Math.min(this.threadCount, Math.floor(n / this.minRowsPerThread));
    if (W <= 1 || !this.scan) return this.search(given, k);
    const flat = given === queries ? given.slice() : given; // the caller may change theirs while we wait
    const D = this.dimension;
    const workers = (this.workers ??= this.startWorkers());
    // W contiguous shares of [0, n)
    const bounds = Array.from({ length: W + 1 }, (_, w) => Math.floor((w * n) / W));
    this.searching++;
    try {
      const groups: Promise<ExactIndexScanReply[]>[] = [];
      for (let g0 = 0; g0 < Q; g0 += QUERY_GROUP) {
        const g = Math.min(QUERY_GROUP, Q - g0);
        const qz = this.quantiseQueries(flat.subarray(g0 * D, (g0 + g) * D), g);
        groups.push(Promise.all(Array.from({ length: W }, (_, w) => workers.run(w, { r0: bounds[w]!, r1: bounds[w + 1]!, g, kk, ...qz }))));
      }
      let replies: ExactIndexScanReply[][];
      try {
        replies = await Promise.all(groups);
      } catch (e) {
        // failed workers are not used again: the next threaded search starts new ones
        if (workers.failure && this.workers === workers) {
          this.workers = null;
          void workers.terminate();
        }
        throw e;
      }
      this.assertAlive(fn);
      const results: ExactSearchResult[] = [];
      replies.forEach((parts, gi) => {
        const g0 = gi * QUERY_GROUP;
        const g = Math.min(QUERY_GROUP, Q - g0);
        for (let q = 0; q < g; q++) {
          const cands = parts.map((p) => ({ rows: p.rows[q]!, lbs: p.lbs[q]!, n: p.rows[q]!.length }));
          results.push(this.rerank(flat.subarray((g0 + q) * D, (g0 + q + 1) * D), cands, parts.map((p) => p.ubs[q]!), kk));
        }
      });
      return results;
    } finally {
      this.searching--;
    }
  }

  /** Releases the buffers and stops the worker threads; the index cannot be used afterwards. @example `index.dispose()` */
  dispose(): void {
    void this.close();
  }

  /**
   * {@link ExactIndex.dispose}, resolving once the worker threads have
   * stopped. Idempotent. A `searchAsync` still running rejects.
   *
   * @example
   * ```ts
   * await index.close();
   * ```
   */
  async close(): Promise<void> {
    this.disposed = true;
    this.count = 0;
    this.f32 = new Float32Array(0);
    this.useJsBuffers(new ArrayBuffer(0));
    this.memory = null;
    this.scan = null;
    const workers = this.workers;
    this.workers = null;
    await workers?.terminate();
  }

  private checkSearch(queries: Float32Array | readonly ArrayLike<number>[], k: number, fn: string): { flat: Float32Array; kk: number; Q: number } {
    this.assertAlive(fn);
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) {
      throw new InvalidArgumentError({ fn, argument: 'k', message: `expected a positive integer such as 10, got ${String(k)}.` });
    }
    const flat = this.flatten(queries, fn, 'queries');
    return { flat, kk: Math.min(k, this.count), Q: flat.length / this.dimension };
  }

  private startWorkers(): ExactIndexWorkers {
    const kernel = sharedKernel()!;
    return new ExactIndexWorkers(this.threadCount, (w) => ({
      kernel,
      memory: this.memory!,
      wsBase: (w + 1) * this.wsSize,
      qcOff: this.qcOff,
      cntOff: this.cntOff,
      outOff: this.outOff,
      recOff: this.recOff,
      stride: this.stride,
      dp: this.dp,
      blockSize: this.blockSize,
    }));
  }

  /**
   * Quantises g queries to int8 (in int16 lanes, dp apart) and the
   * per-query constants of the score bounds mid ± w, with
   *   mid = A − cq·B·S,  w = wq1·W1 + wq2·W2 + EPS·A + wq0   (S the integer dot).
   */
  private quantiseQueries(queries: Float32Array, g: number): { q16: Int16Array; cq: Float64Array; wq1: Float64Array; wq2: Float64Array; wq0: Float64Array } {
    const D = this.dimension, dp = this.dp, cosine = this.metric === 'cosine';
    const cq = new Float64Array(g), wq1 = new Float64Array(g), wq2 = new Float64Array(g), wq0 = new Float64Array(g);
    const q16 = new Int16Array(g * dp);
    for (let q = 0; q < g; q++) {
      let max = 0, ny2 = 0;
      for (let c = 0; c < D; c++) {
        const v = queries[q * D + c]!;
        max = Math.max(max, Math.abs(v));
        ny2 += v * v;
      }
      const sy = max > 0 ? max / 127 : 1;
      let e2 = 0;
      for (let c = 0; c < D; c++) {
        const v = queries[q * D + c]!;
        const iq = Math.max(-127, Math.min(127, Math.round(v / sy)));
        q16[q * dp + c] = iq;
        const e = v - sy * iq;
        e2 += e * e;
      }
      const ny = Math.sqrt(ny2), eyn = Math.sqrt(e2);
      if (cosine) {
        const inv = ny > 0 ? 1 / ny : 0;
        cq[q] = sy * inv; wq1[q] = eyn * inv; wq2[q] = ny * inv; wq0[q] = 0;
      } else {
        cq[q] = 2 * sy; wq1[q] = 2 * eyn; wq2[q] = 2 * ny; wq0[q] = EPS * ny2;
      }
    }
    return { q16, cq, wq1, wq2, wq0 };
  }

  /**
   * The exact answer of one query from the coarse pass of one or more row
   * ranges: the threshold is the k-th smallest upper bound over all ranges,
   * and every candidate whose lower bound is within it is re-ranked in
   * float64 from the float32 rows.
   */
  private rerank(y: Float32Array, parts: readonly ScanCandidates[], upperBounds: readonly Float64Array[], kk: number): ExactSearchResult {
    const all = new Float64Array(upperBounds.reduce((s, u) => s + u.length, 0));
    let o = 0;
    for (const u of upperBounds) { all.set(u, o); o += u.length; }
    all.sort();
    const t = all.length >= kk ? all[kk - 1]! : Infinity;
    const rows: number[] = [];
    const dist: number[] = [];
    for (const cl of parts) {
      for (let j = 0; j < cl.n; j++) {
        if (cl.lbs[j]! > t) continue;
        const r = cl.rows[j]!;
        rows.push(r);
        dist.push(this.exactDistance(r, y));
      }
    }
    const order = rows.map((_, j) => j).sort((a, b) => dist[a]! - dist[b]! || rows[a]! - rows[b]!);
    const res = { rows: new Int32Array(kk), distances: new Float64Array(kk) };
    for (let j = 0; j < kk; j++) {
      res.rows[j] = rows[order[j]!]!;
      res.distances[j] = dist[order[j]!]!;
    }
    return res;
  }

  /** Brute-force distance in float64 (the reference the coarse pass is exact against). */
  private exactDistance(r: number, y: Float32Array): number {
    const D = this.dimension, x = this.f32, o = r * D;
    if (this.metric === 'cosine') {
      let dot = 0, na = 0, nb = 0;
      for (let c = 0; c < D; c++) {
        const a = x[o + c]!, b = y[c]!;
        dot += a * b; na += a * a; nb += b * b;
      }
      const den = Math.sqrt(na * nb);
      return den > 0 ? 1 - dot / den : 1;
    }
    let s = 0;
    for (let c = 0; c < D; c++) {
      const d = x[o + c]! - y[c]!;
      s += d * d;
    }
    return this.metric === 'l2' ? Math.sqrt(s) : s;
  }

  /** Fills row r's int8 copy and metadata from its float32 row. */
  private quantiseRow(r: number): void {
    const D = this.dimension, x = this.f32, o = r * D, i8 = this.recI8, p = r * this.stride;
    let max = 0, sq = 0;
    for (let c = 0; c < D; c++) {
      const v = x[o + c]!;
      max = Math.max(max, Math.abs(v));
      sq += v * v;
    }
    const s = max / 127;
    let e2 = 0;
    for (let c = 0; c < D; c++) {
      const v = x[o + c]!;
      const iq = s > 0 ? Math.max(-127, Math.min(127, Math.round(v / s))) : 0;
      i8[p + c] = iq;
      const e = v - s * iq;
      e2 += e * e;
    }
    i8.fill(0, p + D, p + this.dp);
    const nr = Math.sqrt(sq), en = Math.sqrt(e2);
    const m = (p + this.dp) / 8, meta = this.recF64;
    if (this.metric === 'cosine') {
      const inv = nr > 0 ? 1 / nr : 0;
      meta[m] = 1; meta[m + 1] = s * inv; meta[m + 2] = (nr + en) * inv; meta[m + 3] = en * inv;
    } else {
      meta[m] = sq; meta[m + 1] = s; meta[m + 2] = nr + en; meta[m + 3] = en;
    }
  }

  private reserve(need: number): void {
    if (need <= this.cap) return;
    const cap = Math.max(need, this.cap * 2);
    const D = this.dimension, st = this.stride;
    const f32 = new Float32Array(cap * D);
    f32.set(this.f32.subarray(0, this.count * D));
    if (this.memory) {
      try {
        this.growMemory(this.recOff + cap * st);
        this.refreshViews();
      } catch {
        // past WebAssembly's 4 GiB: carry on with the JS kernel in a plain buffer, on one thread
        const old = this.recU8.subarray(0, this.count * st);
        this.memory = null;
        this.scan = null;
        this.currentKernel = 'js';
        this.threadCount = 1;
        if (!this.searching) {
          void this.workers?.terminate();
          this.workers = null;
        }
        this.useJsBuffers(new ArrayBuffer(cap * st));
        this.recU8.set(old);
      }
    } else {
      const old = this.recU8.subarray(0, this.count * st);
      this.useJsBuffers(new ArrayBuffer(cap * st));
      this.recU8.set(old);
    }
    this.f32 = f32;
    this.cap = cap;
  }

  private growMemory(bytes: number): void {
    const have = this.memory!.buffer.byteLength;
    if (bytes > have) this.memory!.grow(Math.ceil((bytes - have) / 65_536));
  }

  /** Views over the WebAssembly memory (again after it grew). */
  private refreshViews(): void {
    const buf = this.memory!.buffer;
    this.ws = {
      qOff: 0, qcOff: this.qcOff, cntOff: this.cntOff, outOff: this.outOff,
      q16: new Int16Array(buf, 0, QUERY_GROUP * this.dp),
      qc: new Float64Array(buf, this.qcOff, QUERY_GROUP * QC),
      cnt: new Int32Array(buf, this.cntOff, QUERY_GROUP),
      out: new Int32Array(buf, this.outOff, QUERY_GROUP * this.blockSize * 2),
    };
    const bytes = Math.floor((buf.byteLength - this.recOff) / this.stride) * this.stride;
    this.recU8 = new Uint8Array(buf, this.recOff, bytes);
    this.recI8 = new Int8Array(buf, this.recOff, bytes);
    this.recF64 = new Float64Array(buf, this.recOff, bytes / 8);
  }

  /** Records in a plain buffer, and a plain workspace, for the JS kernel. */
  private useJsBuffers(records: ArrayBuffer): void {
    this.recU8 = new Uint8Array(records);
    this.recI8 = new Int8Array(records);
    this.recF64 = new Float64Array(records);
    this.ws = {
      qOff: 0, qcOff: 0, cntOff: 0, outOff: 0,
      q16: new Int16Array(QUERY_GROUP * this.dp),
      qc: new Float64Array(QUERY_GROUP * QC),
      cnt: new Int32Array(QUERY_GROUP),
      out: new Int32Array(QUERY_GROUP * this.blockSize * 2),
    };
  }

  private flatten(x: Float32Array | readonly ArrayLike<number>[], fn: string, argument: string): Float32Array {
    const D = this.dimension;
    let flat: Float32Array;
    if (x instanceof Float32Array) {
      if (x.length % D !== 0) {
        throw new ShapeError({ fn, argument, expected: `a multiple of D = ${D} floats (rows of this index's dimension)`, actual: `length ${x.length}` });
      }
      flat = x;
    } else if (Array.isArray(x)) {
      flat = new Float32Array(x.length * D);
      x.forEach((row: ArrayLike<number>, i) => {
        if (row == null || typeof row.length !== 'number' || row.length !== D) {
          throw new ShapeError({ fn, argument: `${argument}[${i}]`, expected: `a row of length D = ${D}`, actual: row == null ? String(row) : `length ${String(row.length)}` });
        }
        flat.set(row, i * D);
      });
    } else {
      throw new InvalidArgumentError({ fn, argument, message: 'expected a Float32Array of N·D floats or an array of rows.' });
    }
    for (let i = 0; i < flat.length; i++) {
      if (!Number.isFinite(flat[i]!)) {
        throw new InvalidArgumentError({ fn, argument: `${argument}[${Math.floor(i / D)}]`, message: `contains ${flat[i]}; pass finite embeddings. Nothing was changed.` });
      }
    }
    return flat;
  }

  private assertNotSearching(fn: string): void {
    if (this.searching > 0) {
      throw new InvalidArgumentError({ fn, argument: 'this', message: 'a searchAsync is still running on this index; await it before removing rows (adding is fine).' });
    }
  }

  private assertAlive(fn: string): void {
    if (this.disposed) throw new InvalidArgumentError({ fn, argument: 'this', message: 'the index was disposed; create a new one.' });
  }
}

function emptyResults(Q: number): ExactSearchResult[] {
  return Array.from({ length: Q }, () => ({ rows: new Int32Array(0), distances: new Float64Array(0) }));
}
