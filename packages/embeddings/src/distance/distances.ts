import * as tf from '@tensorflow/tfjs-core';
import { assertTensor, ShapeError } from '@likeness/backends';
import { assertRank } from '../internal/validate';
import { safeSqrt } from '../internal/safe-sqrt';

function checkPair(a: unknown, b: unknown, fn: string): void {
  assertTensor(a, fn, 'a');
  assertTensor(b, fn, 'b');
  assertRank(a, [1, 2], fn, 'a', 'a vector [D] or a batch [N,D]');
  assertRank(b, [1, 2], fn, 'b', 'a vector [D] or a batch [N,D]');
  const da = a.shape[a.rank - 1]!;
  const db = b.shape[b.rank - 1]!;
  if (da !== db) {
    throw new ShapeError({
      fn, argument: 'b', expected: `embeddings of the same length as \`a\` (D = ${da})`, actual: b.shape,
      hint: 'Both embeddings must come from the same encoder.',
    });
  }
  if (a.rank === 2 && b.rank === 2 && a.shape[0] !== b.shape[0] && a.shape[0] !== 1 && b.shape[0] !== 1) {
    throw new ShapeError({
      fn, argument: 'b', expected: `[${a.shape[0]},${da}] (row-wise pairs) or [1,${da}]`, actual: b.shape,
      hint: 'For all pairs between two sets use pairwiseDistances(a, b).',
    });
  }
}

/**
 * Squared Euclidean distance Σₖ(aₖ − bₖ)², row by row (rows broadcast when
 * one side has a single row or is a vector).
 *
 * @example
 * ```ts
 * const d = squaredL2Distance(a, b); // a [N,128], b [N,128] → d [N]
 * const s = squaredL2Distance(u, v); // u [128], v [128] → s []
 * ```
 */
export function squaredL2Distance(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  checkPair(a, b, 'squaredL2Distance');
  return tf.tidy(() => tf.sum(tf.squaredDifference(a, b), -1));
}

/**
 * Euclidean distance √Σₖ(aₖ − bₖ)², row by row. The gradient is 0, not NaN,
 * where a = b. face-api/dlib's 0.6 threshold is on this distance.
 *
 * @example
 * ```ts
 * const d = l2Distance(a, b); // a [N,128], b [N,128] → d [N]
 * ```
 */
export function l2Distance(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  checkPair(a, b, 'l2Distance');
  return tf.tidy(() => safeSqrt(tf.sum(tf.squaredDifference(a, b), -1)));
}

/**
 * Cosine distance 1 − a·b / (‖a‖‖b‖), row by row, in [0, 2]. A zero vector
 * is at distance 1 from everything.
 *
 * @example
 * ```ts
 * const d = cosineDistance(a, b); // a [N,128], b [N,128] → d [N]
 * ```
 */
export function cosineDistance(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  checkPair(a, b, 'cosineDistance');
  return tf.tidy(() => {
    const dot = tf.sum(tf.mul(a, b), -1);
    const na = tf.sum(tf.square(a), -1);
    const nb = tf.sum(tf.square(b), -1);
    const denom = safeSqrt(tf.mul(na, nb));
    const pos = tf.greater(denom, 0);
    const cos = tf.where(pos, tf.div(dot, tf.where(pos, denom, tf.onesLike(denom))), tf.zerosLike(dot));
    return tf.sub(1, cos);
  });
}
