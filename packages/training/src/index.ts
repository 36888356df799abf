/**
 * @likeness/training — what is generic about training an `Encoder` of
 * `@likeness/embeddings`: the trainers and fine-tuners (triplets from
 * `@likeness/triplet`, the verification head of `@likeness/siamese-binary`),
 * optimisers and learning-rate schedules, checkpoints, keep-best and
 * bootstrap guards, identity folds and cross-validated epoch selection, and
 * the frozen-feature cache. The file checkpoint store is in
 * `@likeness/training/node`; test fixtures in `@likeness/training/testing`.
 */

// Optimisers, schedules and checkpoints
export { createOptimizer, setLearningRate, OPTIMIZER_NAMES } from './trainer/optimizer';
export type { OptimizerChoice } from './trainer/optimizer';
export { learningRateAt } from './trainer/schedule';
export type { LearningRateSchedule } from './trainer/schedule';
export { encodeCheckpoint, decodeCheckpointWeights, memoryCheckpointStore } from './trainer/checkpoint';
export type { CheckpointStore, CheckpointManifest, SerializedCheckpoint } from './trainer/checkpoint';

// Training an encoder with triplets
export { trainTriplet } from './trainer/train-triplet';
export type { TrainTripletOptions, TripletTrainResult, TripletProgress, TrainingWarning, EarlyStoppingOptions, ClassificationOptions } from './trainer/train-triplet';

// Training a siamese verification head (alone or with its encoder)
export { trainHead, trainSiameseEndToEnd } from './siamese/train-siamese';
export type { TrainSiameseOptions, SiameseTrainResult, SiameseProgress } from './siamese/train-siamese';

// Fine-tuning the pretrained face ResNet
export { fineTuneFaceResNet } from './fine-tune/fine-tune-face-resnet';
export type { FineTuneFaceResNetOptions, FineTuneResult, FineTuneEpoch, LabelledFaces } from './fine-tune/fine-tune-face-resnet';
export { fineTuneFaceResNetSiamese } from './siamese/fine-tune-face-resnet-siamese';
export type { FineTuneSiameseOptions, SiameseFineTuneResult, SiameseFineTuneEpoch, SiameseFaces } from './siamese/fine-tune-face-resnet-siamese';
export { bootstrapEerImprovement, resolveKeepBest, validationScoreBetter, weightedEqualErrorRate } from './fine-tune/keep-best-guard';
export type { KeepBestOptions, ResolvedKeepBest, EerImprovement, ValidationPairLabels } from './fine-tune/keep-best-guard';
export { cacheAugmentedFeatures } from './fine-tune/cache-augmented-features';
export type { CacheAugmentedFeaturesOptions } from './fine-tune/cache-augmented-features';

// Choosing the fine-tuning epoch by cross-validation over the training people
export { fineTuneFaceResNetCrossValidated } from './fine-tune/fine-tune-face-resnet-cross-validated';
export type { CrossValidatedFineTuneOptions, CrossValidatedFineTuneResult } from './fine-tune/fine-tune-face-resnet-cross-validated';
export { fineTuneFaceResNetSiameseCrossValidated } from './siamese/fine-tune-face-resnet-siamese-cross-validated';
export type { CrossValidatedSiameseOptions, CrossValidatedSiameseResult } from './siamese/fine-tune-face-resnet-siamese-cross-validated';
export { crossValidateFineTuning, checkCrossValidationOptions } from './fine-tune/cross-validate-fine-tuning';
export type { FineTuningMethod, FineTuningSession, CrossValidateFineTuningOptions, CrossValidationEpoch, CrossValidationResult } from './fine-tune/cross-validate-fine-tuning';
export { crossValidateOnCachedFeatures } from './fine-tune/cross-validate-on-cached-features';
export type { CachedFeaturesMethod, CachedFeaturesSession, CachedCrossValidationResult } from './fine-tune/cross-validate-on-cached-features';
export { assignIdentityFolds } from './fine-tune/identity-folds';
export type { IdentityFolds } from './fine-tune/identity-folds';
export { selectPooledEpoch } from './fine-tune/pooled-epoch-selection';
export type { PooledEpoch, PooledEpochScores, PooledEpochSelection, SelectPooledEpochOptions } from './fine-tune/pooled-epoch-selection';

// Errors
export { CheckpointCorruptError } from './errors/checkpoint-corrupt-error';
