import * as tf from '@tensorflow/tfjs-core';
import { SquaredDifference } from '@tensorflow/tfjs-core';
import type { GradConfig, Tensor } from '@tensorflow/tfjs-core';
import { reduceTo } from './reduce-to';

/**
 * The gradient of `tf.squaredDifference(a, b)` = (a − b)²: da = 2·dy·(a − b),
 * db = 2·dy·(b − a), each summed over the axes its operand was broadcast along.
 * tfjs-core 4.22's own returns them at the output's shape, so a gradient
 * through a broadcast operand (`tf.squaredDifference(x, mean)` with x
 * [N, C] and mean [C]) throws "The gradient of input 'b' has shape …".
 *
 * @example
 * ```ts
 * tf.grads((x, m) => tf.sum(tf.squaredDifference(x, m)))([tf.ones([2, 3]), tf.zeros([3])]); // [2,3], [3]
 * ```
 */
export const squaredDifferenceGradConfig: GradConfig = {
  kernelName: SquaredDifference,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
    const [a, b] = saved as [Tensor, Tensor];
    const g = dy as Tensor;
    const two = tf.scalar(2, g.dtype);
    // db from (b − a), not −da: the same values as tfjs-core's, signed zeros included (−(+0) would be −0).
    return {
      a: () => reduceTo(tf.mul(g, tf.mul(two, tf.sub(a, b))), a.shape),
      b: () => reduceTo(tf.mul(g, tf.mul(two, tf.sub(b, a))), b.shape),
    };
  },
};
