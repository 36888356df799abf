import * as tf from '@tensorflow/tfjs-core';
import { assertNumber, assertOneOf, ShapeError } from '@likeness/backends';
import { NegativeFeaturesError } from './errors/negative-features-error';
import { EmptyBatchError } from './errors/empty-batch-error';
import { assertEmbeddings } from '@likeness/embeddings';

/**
 * What the head sees of a pair (fᵢ, fⱼ) of D-dimensional embeddings:
 * - `'abs'`: |fᵢₖ − fⱼₖ| (D features), DeepFace / Taigman et al.;
 * - `'chi2'`: (fᵢₖ − fⱼₖ)² / (fᵢₖ + fⱼₖ) (D features), needs fᵢ, fⱼ ≥ 0;
 * - `'concat'`: [fᵢ, fⱼ] side by side (2D features; not symmetric).
 */
export type PairForm = 'abs' | 'chi2' | 'concat';
/** Every {@link PairForm}, for validating options and building menus. */
export const PAIR_FORMS: readonly PairForm[] = Object.freeze(['abs', 'chi2', 'concat'] as const);

/** Options of {@link pairFeatures}. */
export interface PairFeaturesOptions {
  /** Added to the χ² denominator so that 0/0 is 0. @defaultValue `1e-7` */
  epsilon?: number;
}

/** @internal shape checks shared by the head. */
export function checkPair(fn: string, a: unknown, b: unknown): asserts a is tf.Tensor2D {
  assertEmbeddings(a, fn, 'a');
  assertEmbeddings(b, fn, 'b');
  const ta = a as tf.Tensor2D;
  const tb = b as tf.Tensor2D;
  if (tb.shape[1] !== ta.shape[1]) {
    throw new ShapeError({ fn, argument: 'b', expected: `embeddings of the same size as \`a\` (D = ${ta.shape[1]})`, actual: tb.shape, hint: 'Both images of a pair must go through the same encoder.' });
  }
  if (tb.shape[0] !== ta.shape[0]) {
    throw new ShapeError({ fn, argument: 'b', expected: `as many rows as \`a\` (${ta.shape[0]} pairs)`, actual: tb.shape, hint: 'Row i of a and row i of b form pair i.' });
  }
  if (ta.shape[0] === 0) throw new EmptyBatchError({ fn, argument: 'a' });
}

/**
 * Pair features for the head, one row per pair. `'chi2'` reads the inputs
 * back to check they are non-negative and throws
 * {@link NegativeFeaturesError} otherwise.
 *
 * @example
 * ```ts
 * const x = pairFeatures(a, b, 'abs'); // a, b [N,128] → x [N,128]
 * const c = pairFeatures(a, b, 'concat'); // → [N,256]
 * ```
 */
export function pairFeatures(a: tf.Tensor2D, b: tf.Tensor2D, form: PairForm, options: PairFeaturesOptions = {}): tf.Tensor2D {
  const fn = 'pairFeatures';
  checkPair(fn, a, b);
  assertOneOf(form, PAIR_FORMS, fn, 'form');
  const eps = options.epsilon ?? 1e-7;
  assertNumber(eps, fn, 'options.epsilon', { min: 0 });
  if (form === 'chi2') {
    for (const [name, t] of [['a', a], ['b', b]] as const) {
      const m = tf.tidy(() => tf.min(t).dataSync()[0]!);
      if (m < 0) throw new NegativeFeaturesError({ fn, argument: name, minimum: m });
    }
  }
  return tf.tidy(() => {
    if (form === 'abs') return tf.abs(tf.sub(a, b)) as tf.Tensor2D;
    if (form === 'concat') return tf.concat([a, b], 1) as tf.Tensor2D;
    return tf.div(tf.square(tf.sub(a, b)), tf.add(tf.add(a, b), eps)) as tf.Tensor2D;
  });
}

/**
 * How {@link toNonNegative} maps features to ≥ 0:
 * `'shift'`: (f + 1) / 2 — order-preserving, for L2-normalised embeddings
 * (|fₖ| ≤ 1); `'relu'`: max(f, 0); `'abs'`: |f|; `'square'`: f².
 */
export type NonNegativeMethod = 'shift' | 'relu' | 'abs' | 'square';
/** Every {@link NonNegativeMethod}, for validating options and building menus. */
export const NON_NEGATIVE_METHODS: readonly NonNegativeMethod[] = Object.freeze(['shift', 'relu', 'abs', 'square'] as const);

/**
 * Makes embeddings usable by the χ² form.
 *
 * @example
 * ```ts
 * const p = toNonNegative(e, { method: 'shift' }); // e [N,128] in [−1,1] → p [N,128] in [0,1]
 * ```
 */
export function toNonNegative(embeddings: tf.Tensor2D, options: { method?: NonNegativeMethod } = {}): tf.Tensor2D {
  const fn = 'toNonNegative';
  assertEmbeddings(embeddings, fn, 'embeddings');
  const method = options.method ?? 'shift';
  assertOneOf(method, NON_NEGATIVE_METHODS, fn, 'options.method');
  return tf.tidy(() => {
    switch (method) {
      case 'shift':
        return tf.relu(tf.div(tf.add(embeddings, 1), 2)) as tf.Tensor2D; // relu guards float error below −1
      case 'relu':
        return tf.relu(embeddings) as tf.Tensor2D;
      case 'abs':
        return tf.abs(embeddings) as tf.Tensor2D;
      default:
        return tf.square(embeddings) as tf.Tensor2D;
    }
  });
}
