import * as tf from '@tensorflow/tfjs-core';

/**
 * Fᵀ·F for a batch of row blocks F [N, P, C] → [N, C, C], with its gradient
 * in one product: dF = F·(dG + dGᵀ). Autodiff of `tf.matMul(F, F, true)` sees
 * F twice and makes two [P, C] × [C, C] products and a full-size sum for it:
 * half again the multiply-adds of the forward, on the layers where a style
 * step spends most of its matrix time (the first ones, P = H·W large).
 *
 * @example
 * ```ts
 * selfGram(tf.reshape(activations, [1, h * w, c])); // [1, c, c]
 * ```
 */
export const selfGram = tf.customGrad(((f: tf.Tensor3D, save: tf.GradSaveFunc) => {
  save([f]);
  return {
    value: tf.matMul(f, f, true, false),
    gradFunc: (dy: tf.Tensor3D, saved: tf.Tensor[]) => {
      return tf.matMul(saved[0] as tf.Tensor3D, tf.add(dy, tf.transpose(dy, [0, 2, 1])));
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (f: tf.Tensor3D) => tf.Tensor3D;
