import * as tf from '@tensorflow/tfjs-core';
import { assertNumber, assertOneOf, InvalidArgumentError, ShapeError } from '@likeness/backends';
import { l2Distance, squaredL2Distance, assertEmbeddings } from '@likeness/embeddings';

/** The distance inside the triplet loss: `'squared-l2'` (FaceNet's ‖·‖²) or plain `'l2'`. */
export type TripletMetric = 'squared-l2' | 'l2';

/**
 * How per-triplet losses Lᵢ become one number:
 * - `'sum'`: J = Σ Lᵢ (the J of the FaceNet paper);
 * - `'mean'`: Σ Lᵢ / T;
 * - `'mean-active'`: Σ Lᵢ / #{Lᵢ > 0} (0 when no triplet is active) — the
 *   usual choice with batch-all mining, where most triplets are easy.
 */
export type TripletReduction = 'sum' | 'mean' | 'mean-active';

export const TRIPLET_METRICS: readonly TripletMetric[] = Object.freeze(['squared-l2', 'l2'] as const);
export const TRIPLET_REDUCTIONS: readonly TripletReduction[] = Object.freeze(['sum', 'mean', 'mean-active'] as const);

/** Options of {@link tripletLosses} and {@link tripletLoss}. */
export interface TripletLossOptions {
  /** α, the margin. @defaultValue `0.2` */
  margin?: number;
  /** Distance d. @defaultValue `'squared-l2'` */
  metric?: TripletMetric;
}

/** Options of {@link tripletLoss}. */
export interface TripletLossReduceOptions extends TripletLossOptions {
  /** @defaultValue `'mean'` */
  reduction?: TripletReduction;
}

function check(fn: string, anchor: unknown, positive: unknown, negative: unknown, options: TripletLossOptions): { margin: number; metric: TripletMetric } {
  assertEmbeddings(anchor, fn, 'anchor');
  assertEmbeddings(positive, fn, 'positive');
  assertEmbeddings(negative, fn, 'negative');
  for (const [name, t] of [['positive', positive], ['negative', negative]] as const) {
    if (t.shape[0] !== anchor.shape[0] || t.shape[1] !== anchor.shape[1]) {
      throw new ShapeError({ fn, argument: name, expected: `the same shape as \`anchor\` [${anchor.shape.join(',')}]`, actual: t.shape, hint: 'Row i of anchor, positive and negative form triplet i.' });
    }
  }
  const margin = options.margin ?? 0.2;
  assertNumber(margin, fn, 'options.margin', { min: 0 });
  const metric = options.metric ?? 'squared-l2';
  assertOneOf(metric, TRIPLET_METRICS, fn, 'options.metric');
  return { margin, metric };
}

/**
 * Per-triplet losses Lᵢ = max(d(Aᵢ,Pᵢ) − d(Aᵢ,Nᵢ) + α, 0).
 *
 * @example
 * ```ts
 * const L = tripletLosses(a, p, n, { margin: 0.2 }); // a,p,n [T,128] → L [T]
 * ```
 */
export function tripletLosses(anchor: tf.Tensor2D, positive: tf.Tensor2D, negative: tf.Tensor2D, options: TripletLossOptions = {}): tf.Tensor1D {
  const { margin, metric } = check('tripletLosses', anchor, positive, negative, options);
  return tf.tidy(() => {
    const d = metric === 'l2' ? l2Distance : squaredL2Distance;
    return tf.relu(tf.add(tf.sub(d(anchor, positive), d(anchor, negative)), margin)) as tf.Tensor1D;
  });
}

/**
 * Reduces per-triplet losses [T] to a scalar (see {@link TripletReduction}).
 * An empty [0] input reduces to 0.
 *
 * @example
 * ```ts
 * const J = reduceTripletLosses(tf.tensor1d([0, 0.5, 1.5]), 'mean-active'); // → scalar 1.0
 * ```
 */
export function reduceTripletLosses(losses: tf.Tensor1D, reduction: TripletReduction = 'mean'): tf.Scalar {
  const fn = 'reduceTripletLosses';
  if (!(losses instanceof tf.Tensor) || losses.rank !== 1) {
    throw new InvalidArgumentError({ fn, argument: 'losses', message: 'expected per-triplet losses, a tf.Tensor1D [T].' });
  }
  assertOneOf(reduction, TRIPLET_REDUCTIONS, fn, 'reduction');
  return tf.tidy((): tf.Scalar => {
    const s = tf.sum(losses) as tf.Scalar;
    if (reduction === 'sum') return s;
    if (reduction === 'mean') return tf.div(s, Math.max(losses.shape[0], 1));
    const active = tf.sum(tf.sign(losses)); // losses ≥ 0: sign is 1 where active; Sign's gradient is 0
    return tf.div(s, tf.maximum(active, 1));
  });
}

/**
 * The triplet loss J over T triplets, rows of `anchor`, `positive`, `negative`.
 *
 * @example
 * ```ts
 * const J = tripletLoss(a, p, n, { margin: 0.2, reduction: 'sum' }); // a,p,n [T,128] → scalar
 * ```
 */
export function tripletLoss(anchor: tf.Tensor2D, positive: tf.Tensor2D, negative: tf.Tensor2D, options: TripletLossReduceOptions = {}): tf.Scalar {
  const reduction = options.reduction ?? 'mean';
  assertOneOf(reduction, TRIPLET_REDUCTIONS, 'tripletLoss', 'options.reduction');
  check('tripletLoss', anchor, positive, negative, options);
  return tf.tidy(() => reduceTripletLosses(tripletLosses(anchor, positive, negative, options), reduction));
}

/**
 * The fraction of triplets with a non-zero loss (the "active" ones), in [0,1];
 * 0 for no triplets. Reads the values back (synchronous).
 *
 * @example
 * ```ts
 * activeFraction(tf.tensor1d([0, 0.3, 0, 0.1])); // → 0.5
 * ```
 */
export function activeFraction(losses: tf.Tensor1D): number {
  if (!(losses instanceof tf.Tensor) || losses.rank !== 1) {
    throw new InvalidArgumentError({ fn: 'activeFraction', argument: 'losses', message: 'expected per-triplet losses, a tf.Tensor1D [T].' });
  }
  const v = losses.dataSync();
  if (v.length === 0) return 0;
  let a = 0;
  for (let i = 0; i < v.length; i++) if (v[i]! > 0) a++;
  return a / v.length;
}
