import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@likeness/backends';
import { checkActivation } from './internal/validate';

/** Options of {@link totalVariation}. */
export interface TotalVariationOptions {
  /**
   * 2: Σ (Δx)² + (Δy)² (smooth, the usual NST regulariser);
   * 1: Σ |Δx| + |Δy| (anisotropic TV).
   * @defaultValue 2
   */
  power?: 1 | 2;
  /** Divide by the number of pixel values N·H·W·C. @defaultValue false */
  mean?: boolean;
}

/**
 * Total variation of an image (or batch): the sum over neighbouring pixels of
 * their differences, vertical and horizontal, every channel.
 *
 * @param images - [H,W,C] or [N,H,W,C].
 * @returns a scalar.
 *
 * @example
 * ```ts
 * const img = tf.randomUniform([1, 256, 256, 3]); // [N,H,W,C]
 * const tv = totalVariation(img);                  // []
 * ```
 */
export function totalVariation(images: tf.Tensor, options: TotalVariationOptions = {}): tf.Scalar {
  const fn = 'totalVariation';
  const x = checkActivation(images, fn, 'images');
  const power = options.power ?? 2;
  if (power !== 1 && power !== 2) {
    throw new InvalidArgumentError({ fn, argument: 'options.power', message: `expected 1 or 2, got ${String(power)}.` });
  }
  return tf.tidy(() => {
    const x4 = (x.rank === 3 ? tf.expandDims(x, 0) : x) as tf.Tensor4D;
    const [n, h, w, c] = x4.shape;
    const f = power === 2 ? tf.square : tf.abs;
    let total: tf.Scalar = tf.scalar(0);
    if (h > 1) {
      const dy = tf.sub(tf.slice(x4, [0, 1, 0, 0], [n, h - 1, w, c]), tf.slice(x4, [0, 0, 0, 0], [n, h - 1, w, c]));
      total = tf.add(total, tf.sum(f(dy)));
    }
    if (w > 1) {
      const dx = tf.sub(tf.slice(x4, [0, 0, 1, 0], [n, h, w - 1, c]), tf.slice(x4, [0, 0, 0, 0], [n, h, w - 1, c]));
      total = tf.add(total, tf.sum(f(dx)));
    }
    return options.mean ? tf.div(total, tf.scalar(n * h * w * c)) : total;
  });
}
