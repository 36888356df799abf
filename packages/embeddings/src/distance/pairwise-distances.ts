import * as tf from '@tensorflow/tfjs-core';
import { assertTensor, InvalidArgumentError, ShapeError } from '@likeness/backends';
import { assertRank } from '../internal/validate';
import { safeSqrt } from '../internal/safe-sqrt';
import { DISTANCE_METRICS, type DistanceMetric } from './distance-metric';

/** Options of {@link pairwiseDistances}. */
export interface PairwiseDistanceOptions {
  /** Which distance. @defaultValue `'squared-l2'` */
  metric?: DistanceMetric;
}

/**
 * All distances between the rows of `a` and the rows of `b` (or of `a` with
 * itself), on the backend with one matMul: ‖a‖² + ‖b‖² − 2·a·bᵀ, clamped at
 * 0. With `b` omitted the diagonal is exactly 0. Differentiable (the L2
 * gradient is 0, not NaN, on the diagonal).
 *
 * @example
 * ```ts
 * const D = pairwiseDistances(e);                    // e [N,128] → D [N,N], squared L2
 * const C = pairwiseDistances(q, g, { metric: 'l2' }); // q [Q,128], g [M,128] → C [Q,M]
 * ```
 */
export function pairwiseDistances(a: tf.Tensor2D, b?: tf.Tensor2D, options: PairwiseDistanceOptions = {}): tf.Tensor2D {
  const fn = 'pairwiseDistances';
  assertTensor(a, fn, 'a');
  assertRank(a, [2], fn, 'a', 'a batch of embeddings [N,D]');
  if (b !== undefined) {
    assertTensor(b, fn, 'b');
    assertRank(b, [2], fn, 'b', 'a batch of embeddings [M,D]');
    if (b.shape[1] !== a.shape[1]) {
      throw new ShapeError({ fn, argument: 'b', expected: `[M,${a.shape[1]}] (same D as \`a\`)`, actual: b.shape, hint: 'Both sets must come from the same encoder.' });
    }
  }
  const metric = options.metric ?? 'squared-l2';
  if (!DISTANCE_METRICS.includes(metric)) {
    throw new InvalidArgumentError({ fn, argument: 'options.metric', message: `expected one of ${DISTANCE_METRICS.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(metric)}.` });
  }
  const self = b === undefined;
  return tf.tidy(() => {
    const bb = b ?? a;
    if (metric === 'cosine') {
      const an = tf.sqrt(tf.sum(tf.square(a), 1, true));
      const bn = tf.sqrt(tf.sum(tf.square(bb), 1, true));
      const aHat = tf.div(a, tf.maximum(an, 1e-12));
      const bHat = tf.div(bb, tf.maximum(bn, 1e-12));
      let d = tf.relu(tf.sub(1, tf.matMul(aHat, bHat, false, true)));
      if (self) d = zeroDiagonal(d);
      return d as tf.Tensor2D;
    }
    const a2 = tf.sum(tf.square(a), 1, true); // [N,1]
    const b2 = tf.reshape(tf.sum(tf.square(bb), 1), [1, -1]); // [1,M]
    const ab = tf.matMul(a, bb, false, true);
    let sq = tf.relu(tf.sub(tf.add(a2, b2), tf.mul(2, ab)));
    if (self) sq = zeroDiagonal(sq);
    return (metric === 'l2' ? safeSqrt(sq) : sq) as tf.Tensor2D;
  });
}

function zeroDiagonal(d: tf.Tensor): tf.Tensor {
  const n = d.shape[0]!;
  const diag = tf.cast(tf.eye(n), 'bool');
  return tf.where(diag, tf.zerosLike(d), d);
}
