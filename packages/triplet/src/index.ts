/**
 * @likeness/triplet — triplet loss, the margin-softmax loss, online and
 * offline hard-triplet mining and a P×K batch sampler for any `Encoder` of
 * `@likeness/embeddings`. The trainers that use them are in
 * `@likeness/training`.
 *
 * @module @likeness/triplet
 */

// Loss
export { tripletLoss, tripletLosses, reduceTripletLosses, activeFraction } from './triplet-loss';
export type { TripletMetric, TripletReduction, TripletLossOptions, TripletLossReduceOptions } from './triplet-loss';
export { marginSoftmaxLoss } from './margin-softmax-loss';
export type { MarginSoftmaxOptions } from './margin-softmax-loss';

// Choosing triplets
export type { Triplets } from './triplets';
export { mineTriplets, mineTripletsFromDistances } from './mining/mine-triplets';
export type { MiningStrategy, MineTripletsOptions } from './mining/mine-triplets';
export type { SemiHardFallback } from './mining/mine-from-distances';
export { selectHardTriplets } from './select-hard-triplets';
export type { SelectHardTripletsOptions } from './select-hard-triplets';
export { createPKSampler } from './pk-sampler';
export type { PKSampler, PKSamplerOptions, PKSamplerState } from './pk-sampler';
export { flipAndShift } from './augment';
export type { FlipAndShiftOptions } from './augment';

// The objective that @likeness/training runs
export { tripletObjective } from './triplet-objective';
export type { TripletObjective, TripletObjectiveOptions, ClassificationOptions } from './triplet-objective';

// Errors
export { DegenerateBatchError } from './errors/degenerate-batch-error';
export type { DegenerateBatchReason } from './errors/degenerate-batch-error';
