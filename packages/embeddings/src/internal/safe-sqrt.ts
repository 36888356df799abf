import * as tf from '@tensorflow/tfjs-core';

const safeSqrtOp = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  const y = tf.sqrt(tf.relu(x));
  save([y]);
  return {
    value: y,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const ys = saved[0]!;
      const pos = tf.greater(ys, 0);
      const inv = tf.div(0.5, tf.where(pos, ys, tf.onesLike(ys)));
      return tf.mul(dy, tf.where(pos, inv, tf.zerosLike(ys)));
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

/**
 * @internal √x for x ≥ 0 whose gradient is 0 (not NaN/∞) where x = 0, so
 * that L2 distances between identical vectors can be back-propagated.
 */
export function safeSqrt<T extends tf.Tensor>(x: T): T {
  return safeSqrtOp(x) as T;
}
