/**
 * @likeness/siamese-binary — a siamese verification head
 * ŷ = σ(Σₖ wₖ·|f(xᵢ)ₖ − f(xⱼ)ₖ| + b) (or χ², or concatenation), trained as
 * binary classification over any `Encoder` of `@likeness/embeddings`. The
 * trainers (`trainHead`, `trainSiameseEndToEnd`, the face ResNet fine-tuners)
 * are in `@likeness/training`.
 *
 * @module @likeness/siamese-binary
 */

// Head
export { VerificationHead, createVerificationHead } from './verification-head';
export type { VerificationHeadOptions } from './verification-head';
export { pairFeatures, toNonNegative, PAIR_FORMS, NON_NEGATIVE_METHODS } from './pair-features';
export type { PairForm, PairFeaturesOptions, NonNegativeMethod } from './pair-features';
export { binaryCrossEntropyWithLogits } from './binary-cross-entropy';

// Pairs and embeddings
export { createBalancedPairSampler, allPairs } from './pair-sampler';
export type { PairBatch, BalancedPairSamplerOptions } from './pair-sampler';
export { embedImages } from './embed-images';

// Calibration and verification
export { scorePairs, calibrateHead } from './calibrate-head';
export { SiameseVerifier } from './siamese-verifier';
export type { Verification } from './siamese-verifier';

// The objective that @likeness/training runs
export { siameseObjective } from './siamese-objective';
export type { SiameseObjective, SiameseObjectiveOptions } from './siamese-objective';

// Errors
export { EmptyBatchError } from './errors/empty-batch-error';
export { NegativeFeaturesError } from './errors/negative-features-error';
