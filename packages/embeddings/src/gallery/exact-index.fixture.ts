// Test fixtures of the exact index: seeded random rows and the float64 brute-force top-k that its answers must equal.
import type { DistanceMetric } from '../distance/distance-metric';

/** A seeded generator of uniform values in [−0.5, 0.5) (an LCG: the same rows on every run and machine). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296 - 0.5;
}
/** `n` rows of `d` values from {@link lcg}(`seed`), times `scale`. */
export function randomRows(n: number, d: number, seed: number, scale = 1): Float32Array {
  const r = lcg(seed);
  return Float32Array.from({ length: n * d }, () => r() * scale);
}

/** Reference: every distance in float64 from the float32 values, sorted by (distance, row). */
export function brute(rows: Float32Array, d: number, query: Float32Array, k: number, metric: DistanceMetric) {
  const n = rows.length / d;
  const all: { row: number; dist: number }[] = [];
  for (let r = 0; r < n; r++) {
    let dot = 0, na = 0, nb = 0, sq = 0;
    for (let c = 0; c < d; c++) {
      const a = rows[r * d + c]!, b = query[c]!;
      dot += a * b; na += a * a; nb += b * b;
      sq += (a - b) * (a - b);
    }
    const den = Math.sqrt(na * nb);
    const dist = metric === 'cosine' ? (den > 0 ? 1 - dot / den : 1) : metric === 'l2' ? Math.sqrt(sq) : sq;
    all.push({ row: r, dist });
  }
  all.sort((a, b) => a.dist - b.dist || a.row - b.row);
  return all.slice(0, k);
}
