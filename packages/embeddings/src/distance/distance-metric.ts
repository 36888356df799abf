/**
 * Which distance: always explicit, because thresholds differ.
 * dlib/face-api's 0.6 is on plain `'l2'`, i.e. 0.36 on `'squared-l2'`.
 *
 * - `'squared-l2'`: Σ(aᵢ − bᵢ)², the d of the triplet-loss literature.
 * - `'l2'`: √Σ(aᵢ − bᵢ)², Euclidean.
 * - `'cosine'`: 1 − a·b / (‖a‖‖b‖), in [0, 2].
 *
 * @example
 * ```ts
 * const m: DistanceMetric = 'l2';
 * ```
 */
export type DistanceMetric = 'squared-l2' | 'l2' | 'cosine';

/** Every accepted {@link DistanceMetric}. @example `DISTANCE_METRICS.includes('l2') // true` */
export const DISTANCE_METRICS: readonly DistanceMetric[] = Object.freeze(['squared-l2', 'l2', 'cosine'] as const);
