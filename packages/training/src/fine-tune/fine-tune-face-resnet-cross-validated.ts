import { assertNumber, InvalidArgumentError } from '@likeness/backends';
import type { FaceResNet } from '@likeness/embeddings';
import { createPKSampler } from '@likeness/triplet';
import { checkCrossValidationOptions, type CrossValidateFineTuningOptions } from './cross-validate-fine-tuning';
import { crossValidateOnCachedFeatures, type CachedCrossValidationResult } from './cross-validate-on-cached-features';
import { checkFaces, checkFineTunableNet, type FineTuneFaceResNetOptions, type LabelledFaces } from './fine-tune-face-resnet';
import { assignIdentityFolds } from './identity-folds';
import { createTripletEpochTrainer, tripletValidationScore } from './triplet-epoch-trainer';

/** Options of `fineTune` (triplet objective, `select: { crossValidate }`): the triplet fine-tuner's training options and the cross-validation's. */
export interface CrossValidatedFineTuneOptions
  extends Pick<FineTuneFaceResNetOptions, 'strategy' | 'margin' | 'metric' | 'augmentations' | 'augment' | 'stepsPerEpoch' | 'p' | 'k' | 'backboneLearningRate' | 'headLearningRate' | 'seed'>,
  CrossValidateFineTuningOptions {}

/** What `fineTune` (triplet objective, `select: { crossValidate }`) returns: the cross-validation's result and the feature cache's time. */
export type CrossValidatedFineTuneResult = CachedCrossValidationResult;

/**
 * `fineTuneFaceResNet` with the kept epoch chosen by k-fold
 * cross-validation over the training people instead of a few held-back
 * validation people (`crossValidateFineTuning`): every fold trains on the
 * other folds' people from the starting weights for `epochs` epochs, the
 * folds' validation pairs are pooled per epoch, e* is the best pooled epoch
 * if a paired bootstrap over all the training people finds it significantly
 * better than the starting weights, and the net is finally trained on all
 * the people for e* epochs — with the same seed, batches and augmented
 * copies as `fineTuneFaceResNet(net, train, { epochs: e*, seed })` would
 * (same weights). The frozen stages run once for all images and copies.
 * No validation set is needed; the net ends holding the final fit (its
 * starting weights when e* = 0). Inputs are not disposed.
 *
 * @example
 * ```ts
 * const ft = FaceResNet.fromPretrained(await loadFaceResNetFromFaceApi(), { trainableStages: 3 });
 * const r = await fineTuneFaceResNetCrossValidated(ft, { images, labels }, { strategy: 'semi-hard', folds: 5, epochs: 5 });
 * // images [300,150,150,3] of 30 people; r.chosenEpoch, r.pooled[e].eer, r.confidence
 * ```
 */
export async function fineTuneFaceResNetCrossValidated(net: FaceResNet, train: LabelledFaces, options: CrossValidatedFineTuneOptions = {}): Promise<CrossValidatedFineTuneResult> {
  const fn = 'fineTune';
  checkFineTunableNet(fn, net);
  checkFaces(fn, 'train', train);
  const o = options ?? {};
  const strategy = o.strategy ?? 'batch-hard';
  if (strategy !== 'batch-hard' && strategy !== 'semi-hard') throw new InvalidArgumentError({ fn, argument: 'options.strategy', message: `expected 'batch-hard' or 'semi-hard', got ${String(strategy)}.` });
  const margin = o.margin ?? 0.1, metric = o.metric ?? 'l2';
  const A = o.augmentations ?? 4, steps = o.stepsPerEpoch ?? 15, seed = o.seed ?? 0, p = o.p ?? 8, k = o.k ?? 4;
  assertNumber(A, fn, 'options.augmentations', { integer: true, min: 1 });
  assertNumber(steps, fn, 'options.stepsPerEpoch', { integer: true, min: 1 });
  const lrBackbone = o.backboneLearningRate ?? 1e-5, lrHead = o.headLearningRate ?? 1e-4;
  if (!(lrBackbone >= 0 && lrHead > 0)) throw new InvalidArgumentError({ fn, argument: 'options.backboneLearningRate', message: 'learning rates must be ≥ 0 (backbone) and > 0 (head).' });
  const cv = checkCrossValidationOptions(o, fn); // also checks options.seed
  const labels = Int32Array.from(train.labels);
  // every fold's training people must fill a P×K batch: fail before the (slow) feature cache
  const folds = assignIdentityFolds(labels, cv.folds, seed, fn);
  createPKSampler(labels, { p, k, seed });
  for (const rows of folds.rows) createPKSampler(labels.filter((_, i) => !rows.includes(i)), { p, k, seed });

  return crossValidateOnCachedFeatures(net, train.images, { augmentations: A, augment: o.augment, seed }, { ...o, seed }, {
    labels,
    variables: net.trainableVariables(),
    begin(rows, s, feats) {
      const trainer = createTripletEpochTrainer(net, {
        labels, rows, copies: A, strategy, margin, metric, p, k, stepsPerEpoch: steps,
        backboneLearningRate: lrBackbone, headLearningRate: lrHead, seed: s,
      });
      return {
        trainEpoch: () => trainer.trainEpoch(feats),
        scoreFeatures(f, lab) {
          const sc = tripletValidationScore(net, f, lab, margin, metric);
          return { distances: sc.d, loss: sc.loss };
        },
        dispose: () => trainer.dispose(),
      };
    },
  });
}
