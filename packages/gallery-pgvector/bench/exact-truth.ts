import type { GalleryEntry } from '@likeness/embeddings';
import type { Dataset } from '../test/face-like-dataset';

/**
 * The exact top-k row indices per query (queries: `D`-wide rows one after the
 * other), squared L2 in float64: the reference every store's answers and
 * every HNSW recall in the benches are checked against.
 */
export function exactTopKRows(data: Dataset, queries: Float32Array, k: number, D: number): number[][] {
  const n = data.ids.length;
  const out: number[][] = [];
  const best = new Float64Array(k);
  const bestI = new Int32Array(k);
  for (let q = 0; q < queries.length / D; q++) {
    best.fill(Infinity);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < D; j++) {
        const d = data.rows[i * D + j]! - queries[q * D + j]!;
        s += d * d;
      }
      if (s < best[k - 1]!) {
        let p = k - 1;
        while (p > 0 && best[p - 1]! > s) {
          best[p] = best[p - 1]!;
          bestI[p] = bestI[p - 1]!;
          p--;
        }
        best[p] = s;
        bestI[p] = i;
      }
    }
    out.push(Array.from(bestI));
  }
  return out;
}

/** Rows `s` to `e` (exclusive) of the dataset as gallery entries (embeddings are views, not copies). */
export const entriesOf = (data: Dataset, s: number, e: number, D: number): GalleryEntry[] =>
  Array.from({ length: e - s }, (_, i) => ({ id: data.ids[s + i]!, identity: data.who[s + i]!, embedding: data.rows.subarray((s + i) * D, (s + i + 1) * D) }));
