import * as tf from '@tensorflow/tfjs-core';
import { pairwiseDistances } from '@likeness/embeddings';
import type { GalleryFile } from './gallery-file';

/** The nearest enrolled person to a face, or `null` beyond the threshold. */
export interface Match {
  /** The nearest person's name (even when beyond the threshold). */
  nearest: string | null;
  /** Plain L2 distance to that person's closest embedding. */
  distance: number;
  /** `nearest` when `distance <= threshold`, else null (unknown). */
  name: string | null;
}

/**
 * Matches each query embedding against every embedding of every person
 * (nearest neighbour on plain L2, computed on the active backend).
 *
 * @example
 * ```ts
 * const [m] = matchFaces([emb], gallery, 0.6); // m.name === 'Ada' or null
 * ```
 */
export async function matchFaces(queries: readonly ArrayLike<number>[], gallery: GalleryFile, threshold: number): Promise<Match[]> {
  const owners: number[] = [];
  const rows: number[] = [];
  gallery.people.forEach((p, i) => p.embeddings.forEach((e) => (owners.push(i), rows.push(...e))));
  if (queries.length === 0) return [];
  if (owners.length === 0) return queries.map(() => ({ nearest: null, distance: Infinity, name: null }));
  const values = await distanceMatrix(queries, chunk(rows, gallery.embeddingSize));
  return values.map((row) => {
    let best = 0;
    for (let j = 1; j < row.length; j++) if (row[j]! < row[best]!) best = j;
    const nearest = gallery.people[owners[best]!]!.name;
    const distance = row[best]!;
    return { nearest, distance, name: distance <= threshold ? nearest : null };
  });
}

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

function chunk(flat: number[], size: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < flat.length; i += size) out.push(flat.slice(i, i + size));
  return out;
}
