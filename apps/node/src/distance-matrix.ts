import * as tf from '@tensorflow/tfjs-core';
import { pairwiseDistances } from '@likeness/embeddings';

/** Plain L2 distances between every query and every reference, on the active backend: [Q][R]. */
export async function distanceMatrix(queries: readonly ArrayLike<number>[], refs: readonly ArrayLike<number>[]): Promise<number[][]> {
  if (queries.length === 0 || refs.length === 0) return queries.map(() => []);
  const dim = queries[0]!.length;
  const d = tf.tidy(() => {
    const q = tf.tensor2d(queries.flatMap((x) => Array.from(x)), [queries.length, dim]);
    const r = tf.tensor2d(refs.flatMap((x) => Array.from(x)), [refs.length, dim]);
    return pairwiseDistances(q, r, { metric: 'l2' });
  });
  try {
    return await d.array();
  } finally {
    d.dispose();
  }
}
