import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, ShapeError } from '@likeness/backends';
import { equalErrorRate, rocAuc, type FaceResNet } from '@likeness/embeddings';
import { createBalancedPairSampler, type SiameseObjective } from '@likeness/siamese-binary';
import type { FineTuneObjectiveRunner, FineTuneScore } from '../fine-tune/fine-tune-objective-runner';
import { createSiameseEpochTrainer, resolveSiameseLearningRates, siameseValidationScore } from './siamese-epoch-trainer';
import { trainHead, type TrainSiameseOptions } from './train-siamese';

/** The learning rates of `fineTune` with a siamese objective (three Adam optimisers: backbone < projection < head). */
export interface SiameseFineTuneLearningRates {
  /** Adam learning rate of the unfrozen backbone stages. @defaultValue `1e-5` */
  backboneLearningRate?: number;
  /** Adam learning rate of the projection (`fc`). @defaultValue `1e-4` */
  projectionLearningRate?: number;
  /** Adam learning rate of the verification head (w, b). @defaultValue `1e-3` */
  headLearningRate?: number;
}

/** What `fineTune` with a siamese objective and `select: { crossValidate }` adds: the head's preparation and the validation score. */
export interface SiameseCrossValidationOptions {
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
   * What scores the validation pairs: `'head'` the head's −logit (ties:
   * class-balanced BCE); `'l2'` the plain L2 distance of the fine-tuned
   * embeddings (ties: mean same-person over mean different-person
   * distance) — choose the epoch by the metric you deploy, when you deploy
   * the encoder without the head.
   * @defaultValue `'head'`
   */
  score?: 'head' | 'l2';
}

/** Plain L2 distances of all pairs (i < j); tie-breaker: mean same-person / mean different-person distance. */
function l2Score(net: FaceResNet, feats: tf.Tensor4D, labels: Int32Array): FineTuneScore {
  const t = tf.tidy(() => net.encodeFeatures(feats));
  const e = t.arraySync();
  t.dispose();
  const d: number[] = [], same: number[] = [];
  let sumSame = 0, ns = 0, sumDiff = 0, nd = 0;
  for (let i = 0; i < e.length; i++) for (let j = i + 1; j < e.length; j++) {
    let s = 0;
    for (let k = 0; k < e[i]!.length; k++) { const x = e[i]![k]! - e[j]![k]!; s += x * x; }
    const v = Math.sqrt(s);
    d.push(v);
    same.push(labels[i] === labels[j] ? 1 : 0);
    if (labels[i] === labels[j]) { sumSame += v; ns++; } else { sumDiff += v; nd++; }
  }
  return { eer: equalErrorRate(d, same).eer, auc: rocAuc(d, same), loss: ns && nd && sumDiff > 0 ? (sumSame / ns) / (sumDiff / nd) : 0, d };
}

/**
 * @internal The siamese objective as the fine-tune loop runs it: the net's
 * top, its projection and the verification head learn together from
 * binary cross-entropy on balanced same/different pairs (three Adam
 * optimisers); with cross-validation the head is refitted on each run's
 * training people first (`fitHead`); validation pairs are scored by the
 * head (ties: class-balanced BCE) or by plain L2 (`score: 'l2'`).
 */
export function siameseFineTuning(
  net: FaceResNet, objective: SiameseObjective, options: SiameseFineTuneLearningRates & SiameseCrossValidationOptions & { augmentations?: number; stepsPerEpoch?: number; validationFlip?: boolean },
  fn: string,
): FineTuneObjectiveRunner {
  const head = objective.head;
  if (head.embeddingSize !== net.embeddingSize) {
    throw new ShapeError({ fn, argument: 'options.objective.head', expected: `a head for ${net.embeddingSize}-d embeddings`, actual: `embeddingSize ${head.embeddingSize}` });
  }
  if (options.validationFlip) throw new InvalidArgumentError({ fn, argument: 'options.validationFlip', message: 'flip-averaged validation is for the triplet objective; leave it out.' });
  const rates = resolveSiameseLearningRates(options, fn);
  const scoreBy = options.score ?? 'head';
  if (scoreBy !== 'head' && scoreBy !== 'l2') throw new InvalidArgumentError({ fn, argument: 'options.score', message: `expected 'head' or 'l2', got ${String(scoreBy)}.` });
  const fitHead = options.fitHead ?? {};
  if (fitHead !== false && (fitHead == null || typeof fitHead !== 'object')) throw new InvalidArgumentError({ fn, argument: 'options.fitHead', message: `expected trainHead options ({} for its defaults) or false, got ${String(fitHead)}.` });
  const batchSize = objective.batchSize ?? 32, positiveFraction = objective.positiveFraction;
  const copies = options.augmentations ?? 4, stepsPerEpoch = options.stepsPerEpoch ?? 15;
  return {
    variables: [...net.trainableVariables(), ...head.trainableVariables()],
    checkBatches(labels) {
      createBalancedPairSampler(labels, { batchSize, positiveFraction, seed: 0 });
    },
    async prepare(labels, rows, seed, features) {
      if (fitHead === false) return;
      const e = tf.tidy(() => net.encodeFeatures(tf.gather(features, rows) as tf.Tensor4D)); // copy 0: the original images
      try {
        await trainHead(head, e, Int32Array.from(rows, (r) => labels[r]!), { seed, ...fitHead });
      } finally {
        e.dispose();
      }
    },
    trainer: (labels, rows, seed) => createSiameseEpochTrainer(net, head, { labels, rows, copies, stepsPerEpoch, batchSize, positiveFraction, ...rates, seed }),
    score: (features, labels) => (scoreBy === 'l2' ? l2Score(net, features, labels) : siameseValidationScore(net, head, features, labels)),
  };
}
