/**
 * @likeness/training — what is generic about training an `Encoder` of
 * `@likeness/embeddings`: the trainers and fine-tuners (triplets from
 * `@likeness/triplet`, the verification head of `@likeness/siamese-binary`),
 * optimisers and learning-rate schedules, checkpoints, keep-best and
 * bootstrap guards, identity folds and cross-validated epoch selection, and
 * the frozen-feature cache. The file checkpoint store is in
 * `@likeness/training/node`; test fixtures in `@likeness/training/testing`.
 *
 * @module @likeness/training
 */

// Optimisers, schedules and checkpoints
export { createOptimizer, OPTIMIZER_NAMES } from './trainer/optimizer';
export type { OptimizerChoice } from './trainer/optimizer';
export { learningRateAt } from './trainer/schedule';
export type { LearningRateSchedule } from './trainer/schedule';
export { memoryCheckpointStore } from './trainer/checkpoint';
export type { CheckpointStore, CheckpointManifest, SerializedCheckpoint } from './trainer/checkpoint';

// Training any encoder with an objective (tripletObjective, siameseObjective)
export { train } from './trainer/train';
export type { TrainOptions, TripletTrainOptions, SiameseTrainOptions } from './trainer/train';
export type { TripletTrainingOptions, TripletTrainResult, TripletProgress, TrainingWarning, EarlyStoppingOptions } from './trainer/train-triplet';
export type { SiameseTrainResult, SiameseProgress } from './siamese/train-siamese';

// Training a siamese verification head alone, on stored embeddings
export { trainHead } from './siamese/train-siamese';
export type { TrainSiameseOptions, SiameseTrainingOptions } from './siamese/train-siamese';

// Fine-tuning the pretrained face ResNet with an objective and a selection rule
export { fineTune } from './fine-tune/fine-tune';
export type { FineTuneOptions, FineTuneSelection, CrossValidateSelection, TripletFineTuneOptions, TripletCrossValidatedFineTuneOptions, SiameseFineTuneOptions, SiameseCrossValidatedFineTuneOptions } from './fine-tune/fine-tune';
export type { FineTuneCommonOptions, ValidationFineTuneOptions, TripletValidationOptions, CrossValidatedFineTuneOptions, FineTuneResult, FineTuneEpoch, CrossValidatedFineTuneResult } from './fine-tune/fine-tune-loop';
export type { LabelledFaces } from './fine-tune/labelled-faces';
export type { TripletFineTuneLearningRates } from './fine-tune/triplet-fine-tuning';
export type { SiameseFineTuneLearningRates, SiameseCrossValidationOptions } from './siamese/siamese-fine-tuning';

// The parts: keep-best guards, the frozen-feature cache, cross-validated selection for your own fine-tuner
export { bootstrapEerImprovement, resolveKeepBest, validationScoreBetter, weightedEqualErrorRate } from './fine-tune/keep-best-guard';
export type { KeepBestOptions, ResolvedKeepBest, EerImprovement, ValidationPairLabels } from './fine-tune/keep-best-guard';
export { cacheAugmentedFeatures } from './fine-tune/cache-augmented-features';
export type { CacheAugmentedFeaturesOptions } from './fine-tune/cache-augmented-features';

export { crossValidateFineTuning } from './fine-tune/cross-validate-fine-tuning';
export type { FineTuningMethod, FineTuningSession, CrossValidateFineTuningOptions, CrossValidationEpoch, CrossValidationResult, ValidationScores } from './fine-tune/cross-validate-fine-tuning';
export { crossValidateOnCachedFeatures } from './fine-tune/cross-validate-on-cached-features';
export type { CachedFeaturesMethod, CachedFeaturesSession, CachedCrossValidationResult } from './fine-tune/cross-validate-on-cached-features';
export { assignIdentityFolds } from './fine-tune/identity-folds';
export type { IdentityFolds } from './fine-tune/identity-folds';
export { selectPooledEpoch } from './fine-tune/pooled-epoch-selection';
export type { PooledEpoch, PooledEpochScores, PooledEpochSelection, SelectPooledEpochOptions } from './fine-tune/pooled-epoch-selection';

// Errors
export { CheckpointCorruptError } from './errors/checkpoint-corrupt-error';
