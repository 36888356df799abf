/**
 * @likeness/triplet — triplet loss, online and offline hard-triplet mining,
 * a P×K batch sampler and a trainer for any `Encoder` of
 * `@likeness/embeddings`.
 */

// Loss
export { tripletLoss, tripletLosses, reduceTripletLosses, activeFraction, TRIPLET_METRICS, TRIPLET_REDUCTIONS } from './triplet-loss';
export type { TripletMetric, TripletReduction, TripletLossOptions, TripletLossReduceOptions } from './triplet-loss';
export { marginSoftmaxLoss } from './margin-softmax-loss';
export type { MarginSoftmaxOptions } from './margin-softmax-loss';

// Choosing triplets
export type { Triplets } from './triplets';
export { mineTriplets, mineBatchAll, mineBatchHard, mineSemiHard, MINING_STRATEGIES } from './mining/mine-triplets';
export type { MiningStrategy, MineTripletsOptions } from './mining/mine-triplets';
export { batchAllFromDistances, batchHardFromDistances, semiHardFromDistances, SEMI_HARD_FALLBACKS } from './mining/mine-from-distances';
export type { BatchAllOptions, SemiHardOptions, SemiHardFallback } from './mining/mine-from-distances';
export { randomTriplets } from './mining/random-triplets';
export type { RandomTripletsOptions } from './mining/random-triplets';
export { selectHardTriplets } from './select-hard-triplets';
export type { SelectHardTripletsOptions } from './select-hard-triplets';
export { createPKSampler } from './pk-sampler';
export type { PKSampler, PKSamplerOptions, PKSamplerState } from './pk-sampler';
export { flipAndShift } from './augment';
export type { FlipAndShiftOptions } from './augment';

// Trainer
export { trainTriplet } from './trainer/train-triplet';
export type { TrainTripletOptions, TripletTrainResult, TripletProgress, TrainingWarning, EarlyStoppingOptions, ClassificationOptions } from './trainer/train-triplet';
export { createOptimizer, setLearningRate, OPTIMIZER_NAMES } from './trainer/optimizer';
export type { OptimizerChoice } from './trainer/optimizer';
export { learningRateAt } from './trainer/schedule';
export type { LearningRateSchedule } from './trainer/schedule';
export { encodeCheckpoint, decodeCheckpointWeights, memoryCheckpointStore, fileCheckpointStore } from './trainer/checkpoint';
export type { CheckpointStore, CheckpointManifest, SerializedCheckpoint } from './trainer/checkpoint';

// Fine-tuning the pretrained face ResNet
export { fineTuneFaceResNet } from './fine-tune/fine-tune-face-resnet';
export type { FineTuneFaceResNetOptions, FineTuneResult, FineTuneEpoch, LabelledFaces } from './fine-tune/fine-tune-face-resnet';
export { bootstrapEerImprovement, resolveKeepBest, validationScoreBetter, weightedEqualErrorRate } from './fine-tune/keep-best-guard';
export type { KeepBestOptions, ResolvedKeepBest, EerImprovement, ValidationPairLabels } from './fine-tune/keep-best-guard';
export { cacheAugmentedFeatures } from './fine-tune/cache-augmented-features';
export type { CacheAugmentedFeaturesOptions } from './fine-tune/cache-augmented-features';

// Choosing the fine-tuning epoch by cross-validation over the training people
export { fineTuneFaceResNetCrossValidated } from './fine-tune/fine-tune-face-resnet-cross-validated';
export type { CrossValidatedFineTuneOptions, CrossValidatedFineTuneResult } from './fine-tune/fine-tune-face-resnet-cross-validated';
export { crossValidateFineTuning, checkCrossValidationOptions } from './fine-tune/cross-validate-fine-tuning';
export type { FineTuningMethod, FineTuningSession, CrossValidateFineTuningOptions, CrossValidationEpoch, CrossValidationResult } from './fine-tune/cross-validate-fine-tuning';
export { crossValidateOnCachedFeatures } from './fine-tune/cross-validate-on-cached-features';
export type { CachedFeaturesMethod, CachedFeaturesSession, CachedCrossValidationResult } from './fine-tune/cross-validate-on-cached-features';
export { assignIdentityFolds } from './fine-tune/identity-folds';
export type { IdentityFolds } from './fine-tune/identity-folds';
export { selectPooledEpoch } from './fine-tune/pooled-epoch-selection';
export type { PooledEpoch, PooledEpochScores, PooledEpochSelection, SelectPooledEpochOptions } from './fine-tune/pooled-epoch-selection';

// Errors
export { DegenerateBatchError } from './errors/degenerate-batch-error';
export type { DegenerateBatchReason } from './errors/degenerate-batch-error';
export { CheckpointCorruptError } from './errors/checkpoint-corrupt-error';
