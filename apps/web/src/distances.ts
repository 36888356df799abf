import * as tf from '@tensorflow/tfjs-core';
import { pairwiseDistances } from '@likeness/embeddings';

/** Plain L2 distances [Q][R] between embeddings, on the active backend. */
export async function distanceMatrix(queries: readonly Float32Array[] | readonly number[][], refs: readonly Float32Array[] | readonly number[][]): Promise<number[][]> {
  if (queries.length === 0 || refs.length === 0) return queries.map(() => []);
  const dim = queries[0]!.length;
  const d = tf.tidy(() =>
    pairwiseDistances(
      tf.tensor2d(queries.flatMap((q) => Array.from(q)), [queries.length, dim]),
      tf.tensor2d(refs.flatMap((r) => Array.from(r)), [refs.length, dim]),
      { metric: 'l2' },
    ),
  );
  try {
    return await d.array();
  } finally {
    d.dispose();
  }
}
