import * as tf from '@tensorflow/tfjs-core';
import { assertNumber, InvalidArgumentError } from '@likeness/backends';
import type { FaceResNet } from '@likeness/embeddings';
import { assignIdentityFolds } from '../fine-tune/identity-folds';
import { checkCrossValidationOptions, type CrossValidateFineTuningOptions } from '../fine-tune/cross-validate-fine-tuning';
import { crossValidateOnCachedFeatures, type CachedCrossValidationResult } from '../fine-tune/cross-validate-on-cached-features';
import { checkFaces, checkNetAndHead, type FineTuneSiameseOptions, type SiameseFaces } from './fine-tune-face-resnet-siamese';
import { createBalancedPairSampler, type VerificationHead } from '@likeness/siamese-binary';
import { createSiameseEpochTrainer, resolveSiameseLearningRates, siameseValidationScore } from './siamese-epoch-trainer';
import { trainHead, type TrainSiameseOptions } from './train-siamese';

/** Options of `fineTune` (siamese objective, `select: { crossValidate }`): the siamese fine-tuner's training options, the head's preparation and the cross-validation's. */
export interface CrossValidatedSiameseOptions
  extends Pick<FineTuneSiameseOptions, 'augmentations' | 'augment' | 'stepsPerEpoch' | 'batchSize' | 'positiveFraction' | 'backboneLearningRate' | 'projectionLearningRate' | 'headLearningRate' | 'seed'>,
  CrossValidateFineTuningOptions {
  /**
   * Before every fold and the final fit, the head (put back to its
   * starting weights) is trained with `trainHead` on the frozen embeddings
   * of that run's training people only — so no fold's validation people
   * shaped it — with these options (`seed` defaults to the run's seed).
   * `false` uses the head as given (it must then not have been trained on
   * the training people, or every fold's validation is optimistic).
   * @defaultValue `{}` (trainHead's defaults)
   */
  fitHead?: TrainSiameseOptions | false;
  /**
   * What scores the validation pairs: `'head'` (default) the head's
   * −logit, as `fineTuneFaceResNetSiamese` does; `'l2'` the plain L2
   * distance of the fine-tuned embeddings (tie-breaker: mean same-person
   * over mean different-person distance) — choose the epoch by the metric
   * you deploy, when you deploy the encoder without the head.
   * @defaultValue `'head'`
   */
  score?: 'head' | 'l2';
}

/** Plain L2 distances of all pairs (i < j) and mean same-person / mean different-person distance. */
function l2Score(net: FaceResNet, feats: tf.Tensor4D, labels: Int32Array): { distances: number[]; loss: number } {
  const t = tf.tidy(() => net.encodeFeatures(feats));
  const e = t.arraySync();
  t.dispose();
  const d: number[] = [];
  let same = 0, ns = 0, diff = 0, nd = 0;
  for (let i = 0; i < e.length; i++) for (let j = i + 1; j < e.length; j++) {
    let s = 0;
    for (let k = 0; k < e[i]!.length; k++) { const x = e[i]![k]! - e[j]![k]!; s += x * x; }
    const v = Math.sqrt(s);
    d.push(v);
    if (labels[i] === labels[j]) { same += v; ns++; } else { diff += v; nd++; }
  }
  return { distances: d, loss: ns && nd && diff > 0 ? (same / ns) / (diff / nd) : 0 };
}

/** What `fineTune` (siamese objective, `select: { crossValidate }`) returns: the cross-validation's result and the feature cache's time. */
export type CrossValidatedSiameseResult = CachedCrossValidationResult;

/**
 * `fineTuneFaceResNetSiamese` with the kept epoch chosen by k-fold
 * cross-validation over the training people (`crossValidateFineTuning` of
 * `@likeness/triplet`): every fold fits the head on the other folds'
 * people's frozen embeddings (`fitHead`), trains net top and head
 * end-to-end on them for `epochs` epochs, and scores its own people with
 * the head after every epoch; the pooled epoch e* is kept only when a
 * paired bootstrap over all training people finds it significantly better
 * than epoch 0; finally the head is fitted on all the people and net and
 * head train e* epochs on all of them (e* = 0: the net keeps its starting
 * weights, the head is the one fitted on all the people). The frozen stages
 * run once. Inputs are not disposed; the net and head end holding the final fit.
 *
 * @example
 * ```ts
 * const ft = FaceResNet.fromPretrained(await loadFaceResNetFromFaceApi(), { trainableStages: 3 });
 * const head = createVerificationHead({ embeddingSize: 128 });
 * const r = await fineTuneFaceResNetSiameseCrossValidated(ft, head, { images, labels }, { folds: 5, epochs: 5 });
 * // images [300,150,150,3] of 30 people; r.chosenEpoch; head.predict(ft.encode(a), ft.encode(b)) → [M]
 * ```
 */
export async function fineTuneFaceResNetSiameseCrossValidated(
  net: FaceResNet, head: VerificationHead, train: SiameseFaces, options: CrossValidatedSiameseOptions = {},
): Promise<CrossValidatedSiameseResult> {
  const fn = 'fineTune';
  checkNetAndHead(fn, net, head);
  const labels = checkFaces(fn, 'train', train);
  const o = options ?? {};
  const A = o.augmentations ?? 4, steps = o.stepsPerEpoch ?? 15, seed = o.seed ?? 0, batchSize = o.batchSize ?? 32;
  assertNumber(A, fn, 'options.augmentations', { integer: true, min: 1 });
  assertNumber(steps, fn, 'options.stepsPerEpoch', { integer: true, min: 1 });
  assertNumber(seed, fn, 'options.seed', { integer: true });
  const learningRates = resolveSiameseLearningRates(o, fn);
  const scoreBy = o.score ?? 'head';
  if (scoreBy !== 'head' && scoreBy !== 'l2') throw new InvalidArgumentError({ fn, argument: 'options.score', message: `expected 'head' or 'l2', got ${String(scoreBy)}.` });
  const fitHead = o.fitHead ?? {};
  if (fitHead !== false && (fitHead == null || typeof fitHead !== 'object')) throw new InvalidArgumentError({ fn, argument: 'options.fitHead', message: `expected trainHead options ({} for its defaults) or false, got ${String(fitHead)}.` });
  checkCrossValidationOptions(o, fn);
  // fail before the (slow) feature cache: folds, and every fold's training people's pair batches
  const folds = assignIdentityFolds(labels, o.folds ?? 5, seed, fn);
  for (const rows of folds.rows) createBalancedPairSampler(labels.filter((_, i) => !rows.includes(i)), { batchSize, positiveFraction: o.positiveFraction, seed });

  return crossValidateOnCachedFeatures(net, train.images, { augmentations: A, augment: o.augment, seed }, { ...o, seed }, {
    labels,
    variables: [...net.trainableVariables(), ...head.trainableVariables()],
    async begin(rows, s, feats) {
      if (fitHead !== false) {
        const e = tf.tidy(() => net.encodeFeatures(tf.gather(feats, rows) as tf.Tensor4D)); // copy 0: the original images
        try {
          await trainHead(head, e, Int32Array.from(rows, (r) => labels[r]!), { seed: s, ...fitHead });
        } finally {
          e.dispose();
        }
      }
      const trainer = createSiameseEpochTrainer(net, head, {
        labels, rows, copies: A, stepsPerEpoch: steps, batchSize, positiveFraction: o.positiveFraction,
        ...learningRates, seed: s,
      });
      return {
        trainEpoch: () => trainer.trainEpoch(feats),
        scoreFeatures(f, lab) {
          if (scoreBy === 'l2') return l2Score(net, f, lab);
          const sc = siameseValidationScore(net, head, f, lab);
          return { distances: sc.d, loss: sc.loss };
        },
        dispose: () => trainer.dispose(),
      };
    },
  });
}
