/**
 * @likeness/embeddings — encoders f(x) → ℝᴰ, the pretrained dlib face ResNet,
 * distances, a one-shot gallery and calibration metrics.
 *
 * Browser-safe: nothing here touches the file system. Node file helpers are
 * in `@likeness/embeddings/node`.
 */

// Encoders
export type { Encoder } from './encoder';

// Distances
export type { DistanceMetric } from './distance/distance-metric';
export { DISTANCE_METRICS } from './distance/distance-metric';
export { squaredL2Distance, l2Distance, cosineDistance } from './distance/distances';
export { pairwiseDistances } from './distance/pairwise-distances';
export type { PairwiseDistanceOptions } from './distance/pairwise-distances';
