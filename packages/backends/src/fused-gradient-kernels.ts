/**
 * Kernel names a backend may register to run an activation's gradient in one
 * pass (TensorFlow's names for the same kernels). Inputs `{ dy, x }`, float32,
 * one shape; output `dx`, float32, that shape:
 *
 * - `ReluGrad`: dx = dy · m, m = 1 where x > 0, 0 where x ≤ 0, NaN where x is NaN;
 * - `Relu6Grad`: dx = dy · m, m = 1 where 0 < x ≤ 6, 0 elsewhere, NaN where x is NaN.
 *
 * (dy · m, not a choice between dy and 0: an infinite or NaN dy where m = 0
 * gives NaN, as tfjs-core's composition does.) `@likeness/backends` registers
 * the gradients of `tf.relu` and `tf.relu6` to call the kernel where the
 * current backend has it, and tfjs-core's composition of elementwise ops (two
 * passes for relu, five for relu6) where it does not; the cpu backend has
 * both. A plugin backend registers them with `tf.registerKernel({ kernelName:
 * ReluGrad, backendName, kernelFunc })`; the conformance kit compares them
 * with cpu through `tf.relu`'s and `tf.relu6`'s gradients.
 *
 * @example
 * ```ts
 * import { Relu6Grad } from '@likeness/backends';
 * tf.registerKernel({ kernelName: Relu6Grad, backendName: 'mine', kernelFunc: myRelu6Grad });
 * ```
 */
export const ReluGrad = 'ReluGrad';

/** The one-pass gradient of `tf.relu6`; see {@link ReluGrad}. */
export const Relu6Grad = 'Relu6Grad';
