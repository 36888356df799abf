import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@likeness/backends';
import { selfGram } from './internal/self-gram';
import { checkActivation, checkNumber } from './internal/validate';

/** Options of {@link gramMatrix}. */
export interface GramMatrixOptions {
  /**
   * Divide by the number of positions n_H·n_W (`'positions'`), by
   * n_H·n_W·n_C (`'all'`), or not at all (`'none'`).
   * @defaultValue 'none'
   */
  normalize?: 'none' | 'positions' | 'all';
  /**
   * Largest number of spatial positions multiplied at once. A layer with more
   * positions is split into row blocks whose partial Gram matrices are
   * summed, so the biggest intermediate is `chunkSize × C` whatever the image
   * size (the result, C×C, does not grow with the image).
   * @defaultValue 65536
   */
  chunkSize?: number;
}

/**
 * The style (Gram) matrix of a layer's activations:
 * G_kk' = Σᵢ Σⱼ a_ijk · a_ijk'.
 *
 * Synchronous, tidy, differentiable. Never disposes its input.
 *
 * @param activations - [H,W,C] or a batch [N,H,W,C] (float32).
 * @returns [C,C] for a rank-3 input, [N,C,C] for a batch.
 * @throws ShapeError for another rank or a zero-size dimension;
 *   InvalidArgumentError for a non-tensor, a non-float tensor or a bad option.
 *
 * @example
 * ```ts
 * const a = tf.randomNormal([64, 64, 128]);   // [H,W,C]
 * const g = gramMatrix(a);                     // [128,128]
 * const gb = gramMatrix(tf.stack([a, a]));     // [2,128,128]
 * ```
 */
export function gramMatrix(activations: tf.Tensor3D, options?: GramMatrixOptions): tf.Tensor2D;
export function gramMatrix(activations: tf.Tensor4D, options?: GramMatrixOptions): tf.Tensor3D;
export function gramMatrix(activations: tf.Tensor3D | tf.Tensor4D, options?: GramMatrixOptions): tf.Tensor2D | tf.Tensor3D;
export function gramMatrix(
  activations: tf.Tensor3D | tf.Tensor4D,
  options: GramMatrixOptions = {},
): tf.Tensor2D | tf.Tensor3D {
  const fn = 'gramMatrix';
  const a = checkActivation(activations, fn, 'activations');
  const normalize = options.normalize ?? 'none';
  if (normalize !== 'none' && normalize !== 'positions' && normalize !== 'all') {
    throw new InvalidArgumentError({
      fn,
      argument: 'options.normalize',
      message: `expected 'none', 'positions' or 'all', got ${JSON.stringify(normalize)}.`,
    });
  }
  const chunk = Math.floor(checkNumber(options.chunkSize ?? 65536, fn, 'options.chunkSize', 1));
  return tf.tidy(() => {
    const batched = a.rank === 4;
    const [n, h, w, c] = batched ? (a.shape as [number, number, number, number]) : [1, ...(a.shape as [number, number, number])];
    const positions = h * w;
    const flat = tf.reshape(a, [n, positions, c]) as tf.Tensor3D;
    let g: tf.Tensor3D;
    if (positions <= chunk) {
      g = selfGram(flat);
    } else {
      g = tf.zeros([n, c, c]) as tf.Tensor3D;
      for (let start = 0; start < positions; start += chunk) {
        const size = Math.min(chunk, positions - start);
        const block = tf.slice(flat, [0, start, 0], [n, size, c]);
        g = tf.add(g, selfGram(block));
      }
    }
    if (normalize !== 'none') g = tf.div(g, tf.scalar(normalize === 'all' ? positions * c : positions));
    return batched ? g : (tf.reshape(g, [c, c]) as tf.Tensor2D);
  });
}
