import * as tf from '@tensorflow/tfjs-core';
import { broadcast_util } from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';

/**
 * Sums `t` over the axes along which `shape` was broadcast to `t.shape`, then
 * reshapes to `shape`: the gradient of an operand that was broadcast.
 *
 * @example
 * ```ts
 * reduceTo(tf.ones([2, 3]), [3]); // [2, 2, 2]
 * ```
 */
export function reduceTo(t: Tensor, shape: number[]): Tensor {
  const axes = broadcast_util.getReductionAxes(shape, t.shape);
  return tf.reshape(axes.length > 0 ? tf.sum(t, axes) : t, shape);
}
