import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@likeness/backends';
import { checkActivation, checkSameShape } from './internal/validate';

/** Options of {@link contentCost}. */
export interface ContentCostOptions {
  /**
   * `'normalized'`: 1/(4·n_H·n_W·n_C) · Σ (a_C − a_G)² (deeplearning.ai form);
   * `'half-sum'`: ½ · Σ (a_C − a_G)² (Gatys et al. 2016).
   * For a batch the per-image n_H·n_W·n_C is used and the batch is summed.
   * @defaultValue 'normalized'
   */
  form?: 'normalized' | 'half-sum';
}

/**
 * Content cost J_content(C,G) between the activations of the content image
 * and of the generated image at one layer.
 *
 * Synchronous, tidy, differentiable with respect to both inputs.
 *
 * @param content - a_C, [H,W,C] or [N,H,W,C].
 * @param generated - a_G, the same shape as `content`.
 * @returns a scalar.
 * @throws ShapeError when the shapes differ, or for a wrong rank / zero size.
 *
 * @example
 * ```ts
 * const aC = tf.randomNormal([1, 32, 32, 64]); // [N,H,W,C]
 * const aG = tf.randomNormal([1, 32, 32, 64]);
 * const j = contentCost(aC, aG);                     // [] = Σ(aC−aG)²/(4·32·32·64)
 * const k = contentCost(aC, aG, { form: 'half-sum' }); // [] = ½Σ(aC−aG)²
 * ```
 */
export function contentCost(content: tf.Tensor, generated: tf.Tensor, options: ContentCostOptions = {}): tf.Scalar {
  const fn = 'contentCost';
  const c = checkActivation(content, fn, 'content');
  const g = checkActivation(generated, fn, 'generated');
  checkSameShape(g, c, fn, 'generated', 'content');
  const form = options.form ?? 'normalized';
  if (form !== 'normalized' && form !== 'half-sum') {
    throw new InvalidArgumentError({
      fn,
      argument: 'options.form',
      message: `expected 'normalized' or 'half-sum', got ${JSON.stringify(form)}.`,
    });
  }
  return tf.tidy(() => {
    const s = tf.sum(tf.squaredDifference(c, g));
    const perImage = c.shape.slice(-3).reduce((p, d) => p * d, 1);
    return tf.mul(s, tf.scalar(form === 'normalized' ? 1 / (4 * perImage) : 0.5)) as tf.Scalar;
  });
}
