/**
 * @likeness/siamese-binary — a siamese verification head
 * ŷ = σ(Σₖ wₖ·|f(xᵢ)ₖ − f(xⱼ)ₖ| + b) (or χ², or concatenation), trained as
 * binary classification over any `Encoder` of `@likeness/embeddings`.
 */

// Head
export { VerificationHead, createVerificationHead } from './verification-head';
export type { VerificationHeadOptions } from './verification-head';
export { pairFeatures, toNonNegative, PAIR_FORMS, NON_NEGATIVE_METHODS } from './pair-features';
export type { PairForm, PairFeaturesOptions, NonNegativeMethod } from './pair-features';
export { binaryCrossEntropyWithLogits } from './binary-cross-entropy';

// Pairs and training
export { createBalancedPairSampler, allPairs } from './pair-sampler';
export type { PairBatch, BalancedPairSamplerOptions } from './pair-sampler';
export { embedImages } from './embed-images';
export { trainHead, trainSiameseEndToEnd } from './train-siamese';
export type { TrainSiameseOptions, SiameseTrainResult, SiameseProgress } from './train-siamese';

// Fine-tuning the pretrained face ResNet end-to-end with the head
export { fineTuneFaceResNetSiamese } from './fine-tune-face-resnet-siamese';
export type { FineTuneSiameseOptions, SiameseFineTuneResult, SiameseFineTuneEpoch, SiameseFaces } from './fine-tune-face-resnet-siamese';
export { fineTuneFaceResNetSiameseCrossValidated } from './fine-tune-face-resnet-siamese-cross-validated';
export type { CrossValidatedSiameseOptions, CrossValidatedSiameseResult } from './fine-tune-face-resnet-siamese-cross-validated';

// Calibration and verification
export { scorePairs, calibrateHead } from './calibrate-head';
export { SiameseVerifier } from './siamese-verifier';
export type { Verification } from './siamese-verifier';

// Errors
export { EmptyBatchError } from './errors/empty-batch-error';
export { NegativeFeaturesError } from './errors/negative-features-error';
