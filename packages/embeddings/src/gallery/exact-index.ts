import { InvalidArgumentError, ShapeError } from '@likeness/backends';
import { DISTANCE_METRICS, type DistanceMetric } from '../distance/distance-metric';
import { EXACT_INDEX_KERNEL_BASE64 } from './exact-index-kernel';

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
/** Per-row metadata (float64): A, B, W1, W2; see `searchGroup`. */
const META = 4;
/** Per-query constants (float64) the kernel reads: cq, wq1, wq2, wq0, T. */
const QC = 5;
/** Relative slack that covers float64 rounding in the bounds and in the re-rank (D·2⁻⁵³ ≪ 1e-9). */
const EPS = 1e-9;
const MAX_DIMENSION = 65_536; // keeps Σ int8·int16 over a row far inside int32

let wasmModule: WebAssembly.Module | null | undefined;

/** The compiled kernel, or null where WebAssembly SIMD is unavailable. */
function kernelModule(): WebAssembly.Module | null {
  if (wasmModule !== undefined) return wasmModule;
  wasmModule = null;
  try {
    if (typeof WebAssembly === 'object' && typeof atob === 'function') {
      const bin = atob(EXACT_INDEX_KERNEL_BASE64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      if (WebAssembly.validate(bytes)) wasmModule = new WebAssembly.Module(bytes);
    }
  } catch {
    wasmModule = null;
  }
  return wasmModule;
}

/** Whether this runtime can run the `'wasm-simd'` kernel. @example `exactIndexHasWasmSimd() // true in Node 20` */
export function exactIndexHasWasmSimd(): boolean {
  return kernelModule() !== null;
}

type Scan = (rows: number, n: number, dp: number, qs: number, nq: number, qc: number, cnt: number, out: number, cap: number) => void;

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
 * @example
 * ```ts
 * const index = new ExactIndex(128, 'l2');
 * index.add(embeddings);                          // Float32Array [N·128] (or an array of rows)
 * const [hit] = index.search(probe, 10);          // probe: Float32Array [128] → one result
 * hit.rows; hit.distances;                        // Int32Array [10], Float64Array [10], nearest first
 * index.remove([3]);                              // → [[N-1, 3]]: the last row moved into row 3
 * ```
 */
export class ExactIndex {
  /** Row length padded to the kernel's 16 bytes. */
  private readonly dp: number;
  /** Bytes per row record: dp int8 codes, then META float64. */
  private readonly stride: number;
  private readonly blockSize: number;
  private count = 0;
  private cap: number;
  private f32: Float32Array;
  // row records (int8 codes + metadata), in the WebAssembly memory or a plain buffer
  private recU8!: Uint8Array;
  private recI8!: Int8Array;
  private recF64!: Float64Array;
  // the kernel's workspace: quantised queries, per-query constants, emitted counts and (row, S) pairs
  private q16!: Int16Array;
  private qc!: Float64Array;
  private cnt!: Int32Array;
  private out!: Int32Array;
  private memory: WebAssembly.Memory | null = null;
  private scan: Scan | null = null;
  private readonly qOff = 0;
  private readonly qcOff: number;
  private readonly cntOff: number;
  private readonly outOff: number;
  private readonly recOff: number;
  private disposed = false;
  private currentKernel: ExactIndexKernel;

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
    const module = kernel === 'js' ? null : kernelModule();
    if (kernel === 'wasm-simd' && !module) {
      throw new InvalidArgumentError({ fn, argument: 'options.kernel', message: "this runtime has no WebAssembly SIMD; use kernel: 'js' or 'auto'." });
    }
    this.dp = Math.ceil(dimension / 16) * 16;
    this.stride = this.dp + 8 * META;
    this.cap = Math.max(1, capacity);
    this.f32 = new Float32Array(this.cap * dimension);
    // workspace layout (byte offsets; every part 8-byte aligned, records 16-byte aligned)
    this.qcOff = QUERY_GROUP * this.dp * 2;
    this.cntOff = this.qcOff + QUERY_GROUP * QC * 8;
    this.outOff = this.cntOff + QUERY_GROUP * 4;
    this.recOff = this.outOff + QUERY_GROUP * this.blockSize * 8;
    this.currentKernel = module ? 'wasm-simd' : 'js';
    if (module) {
      const instance = new WebAssembly.Instance(module, {});
      this.memory = instance.exports.memory as WebAssembly.Memory;
      this.growMemory(this.recOff + this.cap * this.stride);
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
   *
   * @example
   * ```ts
   * const results = index.search(queries, 10); // queries Float32Array [Q·D] → Q results of ≤ 10 rows
   * ```
   */
  search(queries: Float32Array | readonly ArrayLike<number>[], k: number): ExactSearchResult[] {
    const fn = 'ExactIndex.search';
    this.assertAlive(fn);
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) {
      throw new InvalidArgumentError({ fn, argument: 'k', message: `expected a positive integer such as 10, got ${String(k)}.` });
    }
    const flat = this.flatten(queries, fn, 'queries');
    const D = this.dimension;
    const Q = flat.length / D;
    const kk = Math.min(k, this.count);
    const results: ExactSearchResult[] = [];
    if (kk === 0) {
      for (let q = 0; q < Q; q++) results.push({ rows: new Int32Array(0), distances: new Float64Array(0) });
      return results;
    }
    for (let g0 = 0; g0 < Q; g0 += QUERY_GROUP) {
      const g = Math.min(QUERY_GROUP, Q - g0);
      results.push(...this.searchGroup(flat.subarray(g0 * D, (g0 + g) * D), g, kk));
    }
    return results;
  }

  /** Releases the buffers; the index cannot be used afterwards. @example `index.dispose()` */
  dispose(): void {
    this.disposed = true;
    this.count = 0;
    this.f32 = new Float32Array(0);
    this.useJsBuffers(new ArrayBuffer(0));
    this.memory = null;
    this.scan = null;
  }

  private searchGroup(queries: Float32Array, g: number, kk: number): ExactSearchResult[] {
    const D = this.dimension, dp = this.dp, n = this.count, meta = this.recF64, mst = this.stride / 8, mo = dp / 8;
    const cosine = this.metric === 'cosine';
    // per-query constants: score bounds are mid ± w with
    //   mid = A − cq·B·S,  w = wq1·W1 + wq2·W2 + EPS·A + wq0   (S the integer dot)
    const cq = new Float64Array(g), wq1 = new Float64Array(g), wq2 = new Float64Array(g), wq0 = new Float64Array(g);
    const q16 = this.q16;
    q16.fill(0, 0, g * dp);
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
      this.qc.set([cq[q]!, wq1[q]!, wq2[q]!, wq0[q]!, Infinity], q * QC);
    }
    // candidate lists and the k smallest upper bounds (a max-heap) per query
    const cand = Array.from({ length: g }, () => ({ rows: new Int32Array(64), lbs: new Float64Array(64), n: 0 }));
    const heaps = Array.from({ length: g }, () => ({ h: new Float64Array(kk), n: 0 }));
    const T = new Float64Array(g).fill(Infinity);
    const B = this.blockSize;
    for (let b0 = 0; b0 < n; b0 += B) {
      const nb = Math.min(B, n - b0);
      // the kernel emits (row, S) for rows whose lower bound is within each query's current T
      this.cnt.fill(0);
      if (this.scan) this.scan(this.recOff + b0 * this.stride, nb, dp, this.qOff, g, this.qcOff, this.cntOff, this.outOff, B);
      else scanJs(this.recI8, meta, b0, nb, dp, this.stride, q16, g, this.qc, this.cnt, this.out, B);
      const out = this.out;
      for (let q = 0; q < g; q++) {
        let t = T[q]!;
        const c = cq[q]!, a1 = wq1[q]!, a2 = wq2[q]!, a0 = wq0[q]!;
        const base = q * B * 2;
        const emitted = this.cnt[q]!;
        for (let j = 0; j < emitted; j++) {
          const i = out[base + 2 * j]!;
          const m = (b0 + i) * mst + mo;
          const A = meta[m]!;
          const mid = A - c * meta[m + 1]! * out[base + 2 * j + 1]!;
          const w = a1 * meta[m + 2]! + a2 * meta[m + 3]! + EPS * A + a0;
          const lb = mid - w;
          if (lb > t) continue;
          const cl = cand[q]!;
          if (cl.n === cl.rows.length) {
            const rows = new Int32Array(cl.n * 2); rows.set(cl.rows); cl.rows = rows;
            const lbs = new Float64Array(cl.n * 2); lbs.set(cl.lbs); cl.lbs = lbs;
          }
          cl.rows[cl.n] = b0 + i; cl.lbs[cl.n] = lb; cl.n++;
          const ub = mid + w;
          if (ub < t) t = heapPush(heaps[q]!, ub, kk);
        }
        T[q] = t;
        this.qc[q * QC + 4] = t;
      }
    }
    // float64 re-rank of every row whose lower bound is within the k-th upper bound
    const results: ExactSearchResult[] = [];
    for (let q = 0; q < g; q++) {
      const y = queries.subarray(q * D, (q + 1) * D);
      const cl = cand[q]!, t = T[q]!;
      const rows: number[] = [];
      const dist: number[] = [];
      for (let j = 0; j < cl.n; j++) {
        if (cl.lbs[j]! > t) continue;
        const r = cl.rows[j]!;
        rows.push(r);
        dist.push(this.exactDistance(r, y));
      }
      const order = rows.map((_, j) => j).sort((a, b) => dist[a]! - dist[b]! || rows[a]! - rows[b]!);
      const res = { rows: new Int32Array(kk), distances: new Float64Array(kk) };
      for (let j = 0; j < kk; j++) {
        res.rows[j] = rows[order[j]!]!;
        res.distances[j] = dist[order[j]!]!;
      }
      results.push(res);
    }
    return results;
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
        // past WebAssembly's 4 GiB: carry on with the JS kernel in a plain buffer
        const old = this.recU8.subarray(0, this.count * st);
        this.memory = null;
        this.scan = null;
        this.currentKernel = 'js';
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
    this.q16 = new Int16Array(buf, this.qOff, QUERY_GROUP * this.dp);
    this.qc = new Float64Array(buf, this.qcOff, QUERY_GROUP * QC);
    this.cnt = new Int32Array(buf, this.cntOff, QUERY_GROUP);
    this.out = new Int32Array(buf, this.outOff, QUERY_GROUP * this.blockSize * 2);
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
    this.q16 = new Int16Array(QUERY_GROUP * this.dp);
    this.qc = new Float64Array(QUERY_GROUP * QC);
    this.cnt = new Int32Array(QUERY_GROUP);
    this.out = new Int32Array(QUERY_GROUP * this.blockSize * 2);
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

  private assertAlive(fn: string): void {
    if (this.disposed) throw new InvalidArgumentError({ fn, argument: 'this', message: 'the index was disposed; create a new one.' });
  }
}

/** Pushes an upper bound into a max-heap of capacity k; returns the new threshold (the k-th smallest, or ∞). */
function heapPush(heap: { h: Float64Array; n: number }, v: number, k: number): number {
  const h = heap.h;
  if (heap.n < k) {
    let i = heap.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]! >= v) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = v;
  } else {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= k) break;
      const c = l + 1 < k && h[l + 1]! > h[l]! ? l + 1 : l;
      if (h[c]! <= v) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = v;
  }
  return heap.n === k ? h[0]! : Infinity;
}

/** The `'js'` kernel: the same integer dot products and the same float64 test as the WebAssembly one. */
function scanJs(rec: Int8Array, meta: Float64Array, r0: number, n: number, dp: number, stride: number, qs: Int16Array, nq: number, qc: Float64Array, cnt: Int32Array, out: Int32Array, cap: number): void {
  const mst = stride / 8, mo = dp / 8;
  for (let r = 0; r < n; r++) {
    const o = (r0 + r) * stride;
    const m = (r0 + r) * mst + mo;
    const A = meta[m]!, Bm = meta[m + 1]!, W1 = meta[m + 2]!, W2 = meta[m + 3]!;
    for (let q = 0; q < nq; q++) {
      const p = q * dp;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let c = 0; c < dp; c += 4) {
        s0 += rec[o + c]! * qs[p + c]!;
        s1 += rec[o + c + 1]! * qs[p + c + 1]!;
        s2 += rec[o + c + 2]! * qs[p + c + 2]!;
        s3 += rec[o + c + 3]! * qs[p + c + 3]!;
      }
      const S = s0 + s1 + s2 + s3;
      const x = q * QC;
      const mid = A - qc[x]! * Bm * S;
      const w = qc[x + 1]! * W1 + qc[x + 2]! * W2 + EPS * A + qc[x + 3]!;
      if (mid - w <= qc[x + 4]!) {
        const k = cnt[q]!;
        out[(q * cap + k) * 2] = r;
        out[(q * cap + k) * 2 + 1] = S;
        cnt[q] = k + 1;
      }
    }
  }
}
