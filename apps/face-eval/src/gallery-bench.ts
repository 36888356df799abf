import * as tf from '@tensorflow/tfjs-core';
import { createGallery } from '@likeness/embeddings';

/** Deterministic unit vectors (D = 128) in one flat array. */
function unitRows(n: number, seed: number): Float32Array {
  const out = new Float32Array(n * 128);
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 4294967296 - 0.5;
  }
  for (let r = 0; r < n; r++) {
    let norm = 0;
    for (let k = 0; k < 128; k++) norm += out[r * 128 + k]! ** 2;
    norm = Math.sqrt(norm);
    for (let k = 0; k < 128; k++) out[r * 128 + k]! /= norm;
  }
  return out;
}

/**
 * Gallery ms/query (exact L2 search, k = 1) at 10k, 100k and 1M entries of
 * D = 128, 10 entries per identity, one query per call and 16 per call.
 */
export async function benchGallery(sizes: readonly number[] = [10_000, 100_000, 1_000_000]): Promise<void> {
  console.log(`\nGallery exact search on ${tf.getBackend()} (D = 128, L2, k = 1), ms/query:`);
  console.log('| entries | 1 query per call | 16 queries per call | first query (uploads the matrix) | enrol time |\n|---|---|---|---|---|');
  for (const n of sizes) {
    const g = createGallery({ dimension: 128 });
    const rows = unitRows(n, n);
    const t0 = performance.now();
    for (let p = 0; p < n / 10; p++) {
      const batch: Float32Array[] = [];
      for (let j = 0; j < 10; j++) batch.push(rows.subarray((p * 10 + j) * 128, (p * 10 + j + 1) * 128));
      await g.enrol(`id${p}`, batch);
    }
    const enrolMs = performance.now() - t0;
    const queries = Array.from(unitRows(16, 7).reduce<Float32Array[]>((acc, _, i, a) => (i % 128 === 0 ? [...acc, a.subarray(i, i + 128)] : acc), []));
    let t = performance.now();
    await g.identify(queries[0]!, { threshold: 0.6 });
    const first = performance.now() - t;
    const reps = 5;
    t = performance.now();
    for (let r = 0; r < reps; r++) await g.identify(queries[r % 16]!, { threshold: 0.6 });
    const single = (performance.now() - t) / reps;
    t = performance.now();
    for (let r = 0; r < reps; r++) await g.identify(queries, { threshold: 0.6 });
    const batched = (performance.now() - t) / reps / 16;
    console.log(`| ${n.toLocaleString('en')} | ${single.toFixed(2)} | ${batched.toFixed(2)} | ${first.toFixed(0)} | ${(enrolMs / 1000).toFixed(1)} s |`);
    g.dispose();
  }
}
