import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, ShapeError } from '@likeness/backends';
import { gramMatrix } from './gram-matrix';
import { checkActivation, checkNumber } from './internal/validate';

/** Options shared by the style costs. */
export interface StyleCostOptions {
  /** Largest number of spatial positions multiplied at once, passed to {@link gramMatrix} (bounds its biggest intermediate at `chunkSize × C`). @defaultValue 65536 */
  chunkSize?: number;
}

/**
 * The style target of a layer: its Gram matrix divided by the number of
 * positions, G/(n_H·n_W). Compute it once per style image and reuse it for
 * every step; a weighted sum of targets blends several styles.
 *
 * @param activations - [H,W,C] (or [1,H,W,C]).
 * @returns [C,C].
 *
 * @example
 * ```ts
 * const aS = tf.randomNormal([1, 64, 64, 128]); // [1,H,W,C]
 * const t = styleTarget(aS);                    // [128,128] = gram(aS)/(64·64)
 * ```
 */
export function styleTarget(activations: tf.Tensor3D | tf.Tensor4D, options: StyleCostOptions = {}): tf.Tensor2D {
  const fn = 'styleTarget';
  const a = checkActivation(activations, fn, 'activations');
  if (a.rank === 4 && a.shape[0] !== 1) {
    throw new ShapeError({
      fn,
      argument: 'activations',
      expected: '[H,W,C] or [1,H,W,C]',
      actual: a.shape,
      hint: 'Compute one target per style image and blend them with a weighted sum.',
    });
  }
  return tf.tidy(() => {
    const g = gramMatrix(a.rank === 4 ? (tf.squeeze(a, [0]) as tf.Tensor3D) : (a as tf.Tensor3D), {
      normalize: 'positions',
      chunkSize: options.chunkSize,
    });
    return g;
  });
}

/**
 * Per-layer style cost against a precomputed {@link styleTarget}:
 * 1/(4·n_C²) · Σₖ Σₖ' (T_kk' − G(G)_kk'/(n_H·n_W))².
 *
 * When style and generated activations have the same n_H·n_W this equals
 * 1/(2·n_H·n_W·n_C)² · Σ (G(S) − G(G))² exactly; when they differ (a style
 * image of another size) each Gram is divided by its own number of positions,
 * so the cost does not depend on the style image's size.
 *
 * @param target - [C,C] from `styleTarget`.
 * @param generated - a_G, [H,W,C] or [N,H,W,C] (a batch is summed).
 * @returns a scalar.
 *
 * @example
 * ```ts
 * const t = styleTarget(aS);                // [C,C]
 * const j = styleTargetCost(t, aG);          // [] with aG [1,H,W,C]
 * ```
 */
export function styleTargetCost(target: tf.Tensor2D, generated: tf.Tensor, options: StyleCostOptions = {}): tf.Scalar {
  const fn = 'styleTargetCost';
  const g = checkActivation(generated, fn, 'generated');
  const c = g.shape[g.rank - 1]!;
  if (!(target instanceof tf.Tensor) || target.rank !== 2 || target.shape[0] !== c || target.shape[1] !== c) {
    throw new ShapeError({
      fn,
      argument: 'target',
      expected: `a [${c},${c}] tensor from styleTarget() of the same layer`,
      actual: target instanceof tf.Tensor ? target.shape : typeof target,
    });
  }
  return tf.tidy(() => {
    const gg = gramMatrix(g, { normalize: 'positions', chunkSize: options.chunkSize });
    const s = tf.sum(tf.squaredDifference(gg, target));
    return tf.mul(s, tf.scalar(1 / (4 * c * c))) as tf.Scalar;
  });
}

/**
 * Per-layer style cost `J_style^[l](S,G)` =
 * 1/(2·n_H·n_W·n_C)² · Σₖ Σₖ' (G(S)_kk' − G(G)_kk')².
 * See {@link styleTargetCost} for images of different sizes.
 *
 * @param style - a_S, [H,W,C] or [1,H,W,C].
 * @param generated - a_G, [H,W,C] or [N,H,W,C] with the same channel count.
 * @returns a scalar.
 *
 * @example
 * ```ts
 * const aS = tf.randomNormal([1, 16, 16, 64]); // [1,H,W,C]
 * const aG = tf.randomNormal([1, 16, 16, 64]);
 * const j = styleLayerCost(aS, aG);            // []
 * ```
 */
export function styleLayerCost(style: tf.Tensor, generated: tf.Tensor, options: StyleCostOptions = {}): tf.Scalar {
  const fn = 'styleLayerCost';
  const s = checkActivation(style, fn, 'style');
  const g = checkActivation(generated, fn, 'generated');
  if (s.shape[s.rank - 1] !== g.shape[g.rank - 1]) {
    throw new ShapeError({
      fn,
      argument: 'generated',
      expected: `${s.shape[s.rank - 1]} channels like \`style\``,
      actual: g.shape,
      hint: 'Take both activations from the same layer.',
    });
  }
  return tf.tidy(() => styleTargetCost(styleTarget(s, options), g, options));
}

/** One layer of {@link styleCost}. Give either `style` activations or a precomputed `target`. */
export interface StyleLayerTerm {
  /** a_G: the generated image's activations at this layer, [H,W,C] or [1,H,W,C] (channels last, as the style's). */
  generated: tf.Tensor;
  /** a_S: the style image's activations at this layer, [H,W,C] or [1,H,W,C], with the channel count C of `generated` (its H, W may differ). Give this or `target`. */
  style?: tf.Tensor;
  /** A precomputed (possibly blended) {@link styleTarget} of the style activations, [C,C]. Give this or `style`. */
  target?: tf.Tensor2D;
  /** λ_l, this layer's weight in the sum (a finite number ≥ 0; the weights need not add up to 1). @defaultValue 1 / number of layers */
  weight?: number;
}

/**
 * Weighted multi-layer style cost `J_style(S,G) = Σ_l λ_l · J_style^[l](S,G)`.
 *
 * @param layers - one term per layer; weights default to 1/L each.
 * @returns a scalar.
 *
 * @example
 * ```ts
 * const j = styleCost([
 *   { style: aS1, generated: aG1, weight: 0.5 },   // [1,H1,W1,C1]
 *   { target: t2, generated: aG2, weight: 0.5 },   // t2 [C2,C2]
 * ]);                                              // []
 * ```
 */
export function styleCost(layers: readonly StyleLayerTerm[], options: StyleCostOptions = {}): tf.Scalar {
  const fn = 'styleCost';
  if (!Array.isArray(layers) || layers.length === 0) {
    throw new InvalidArgumentError({ fn, argument: 'layers', message: 'expected a non-empty array of { generated, style | target, weight? }.' });
  }
  layers.forEach((l, i) => {
    if (l == null || (l.style == null) === (l.target == null)) {
      throw new InvalidArgumentError({
        fn,
        argument: `layers[${i}]`,
        message: 'give exactly one of `style` (activations) or `target` (from styleTarget()).',
      });
    }
    if (l.weight !== undefined) checkNumber(l.weight, fn, `layers[${i}].weight`);
  });
  return tf.tidy(() => {
    let total: tf.Scalar = tf.scalar(0);
    for (const l of layers) {
      const w = l.weight ?? 1 / layers.length;
      const j = l.target ? styleTargetCost(l.target, l.generated, options) : styleLayerCost(l.style!, l.generated, options);
      total = tf.add(total, tf.mul(j, tf.scalar(w)));
    }
    return total;
  });
}
