// The coarse pass of ExactIndex over a range of rows, shared by the calling
// thread and the worker threads. The worker source is built from these
// functions' text (Function.prototype.toString), so each of them references
// nothing but its parameters, the others in this file, and globals.

/** @internal The kernel's `scan` export (see exact-index-kernel.wat). */
export type Scan = (rows: number, n: number, dp: number, qs: number, nq: number, qc: number, cnt: number, out: number, cap: number) => void;

/** @internal One thread's kernel workspace: byte offsets into the kernel's memory and views over them. */
export interface ScanWorkspace {
  readonly qOff: number;
  readonly qcOff: number;
  readonly cntOff: number;
  readonly outOff: number;
  /** Quantised queries, 16 × dp int16 (filled by the caller before {@link scanRange}). */
  readonly q16: Int16Array;
  /** Per query float64 cq, wq1, wq2, wq0, T. */
  readonly qc: Float64Array;
  readonly cnt: Int32Array;
  readonly out: Int32Array;
}

/** @internal The rows of one query that survived the coarse pass, with their lower bounds. */
export interface ScanCandidates {
  rows: Int32Array;
  lbs: Float64Array;
  n: number;
}

/** @internal What {@link scanRange} found for each query of a group. */
export interface ScanRangeResult {
  readonly candidates: ScanCandidates[];
  /** Per query, the (up to k) smallest upper bounds of the range, in heap order. */
  readonly upperBounds: Float64Array[];
}

/**
 * @internal Scans rows [r0, r1) for g quantised queries (already in
 * `ws.q16`) in blocks of `blockSize` and returns, per query, every row
 * whose lower bound is within the range's k-th smallest upper bound
 * (a superset of what survives the final threshold) and those upper bounds.
 * Score bounds are mid ± w with mid = A − cq·B·S and
 * w = wq1·W1 + wq2·W2 + 1e-9·A + wq0 (S the integer dot product; A, B, W1,
 * W2 the row's metadata) — the same float64 operations, in the same order,
 * as the WebAssembly kernel.
 */
export function scanRange(
  scan: Scan | null, recI8: Int8Array, recF64: Float64Array, recOff: number, stride: number, dp: number, ws: ScanWorkspace,
  r0: number, r1: number, blockSize: number, g: number, kk: number,
  cq: Float64Array, wq1: Float64Array, wq2: Float64Array, wq0: Float64Array,
): ScanRangeResult {
  const EPS = 1e-9;
  const mst = stride / 8, mo = dp / 8, meta = recF64, out = ws.out, qc = ws.qc;
  const candidates: ScanCandidates[] = [];
  const heaps: { h: Float64Array; n: number }[] = [];
  const T = new Float64Array(g);
  for (let q = 0; q < g; q++) {
    candidates.push({ rows: new Int32Array(64), lbs: new Float64Array(64), n: 0 });
    heaps.push({ h: new Float64Array(kk), n: 0 });
    T[q] = Infinity;
    qc[q * 5] = cq[q]!; qc[q * 5 + 1] = wq1[q]!; qc[q * 5 + 2] = wq2[q]!; qc[q * 5 + 3] = wq0[q]!; qc[q * 5 + 4] = Infinity;
  }
  const B = blockSize;
  for (let b0 = r0; b0 < r1; b0 += B) {
    const nb = Math.min(B, r1 - b0);
    // the kernel emits (row, S) for rows whose lower bound is within each query's current T
    ws.cnt.fill(0);
    if (scan) scan(recOff + b0 * stride, nb, dp, ws.qOff, g, ws.qcOff, ws.cntOff, ws.outOff, B);
    else scanJs(recI8, meta, b0, nb, dp, stride, ws.q16, g, qc, ws.cnt, out, B);
    for (let q = 0; q < g; q++) {
      let t = T[q]!;
      const c = cq[q]!, a1 = wq1[q]!, a2 = wq2[q]!, a0 = wq0[q]!;
      const base = q * B * 2;
      const emitted = ws.cnt[q]!;
      const cl = candidates[q]!;
      for (let j = 0; j < emitted; j++) {
        const i = out[base + 2 * j]!;
        const m = (b0 + i) * mst + mo;
        const A = meta[m]!;
        const mid = A - c * meta[m + 1]! * out[base + 2 * j + 1]!;
        const w = a1 * meta[m + 2]! + a2 * meta[m + 3]! + EPS * A + a0;
        const lb = mid - w;
        if (lb > t) continue;
        if (cl.n === cl.rows.length) {
          const rows = new Int32Array(cl.n * 2); rows.set(cl.rows); cl.rows = rows;
          const lbs = new Float64Array(cl.n * 2); lbs.set(cl.lbs); cl.lbs = lbs;
        }
        cl.rows[cl.n] = b0 + i; cl.lbs[cl.n] = lb; cl.n++;
        const ub = mid + w;
        if (ub < t) t = heapPush(heaps[q]!, ub, kk);
      }
      T[q] = t;
      qc[q * 5 + 4] = t;
    }
  }
  const upperBounds: Float64Array[] = [];
  for (let q = 0; q < g; q++) upperBounds.push(heaps[q]!.h.slice(0, heaps[q]!.n));
  return { candidates, upperBounds };
}

/** @internal Pushes an upper bound into a max-heap of capacity k; returns the new threshold (the k-th smallest, or ∞). */
export function heapPush(heap: { h: Float64Array; n: number }, v: number, k: number): number {
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

/** @internal The `'js'` kernel: the same integer dot products and the same float64 test as the WebAssembly one. */
export function scanJs(rec: Int8Array, meta: Float64Array, r0: number, n: number, dp: number, stride: number, qs: Int16Array, nq: number, qc: Float64Array, cnt: Int32Array, out: Int32Array, cap: number): void {
  const EPS = 1e-9;
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
      const x = q * 5;
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
