import type * as tf from '@tensorflow/tfjs-core';
import { assertNumber, InvalidArgumentError } from '@likeness/backends';
import type { FaceResNet } from '@likeness/embeddings';
import { createPKSampler, type PKSamplerState, type TripletObjective } from '@likeness/triplet';
import type { FineTuneObjectiveRunner } from './fine-tune-objective-runner';
import { createTripletEpochTrainer, tripletValidationScore } from './triplet-epoch-trainer';

/** The learning rates of `fineTune` with a triplet objective (two Adam optimisers). */
export interface TripletFineTuneLearningRates {
  /** Adam learning rate of the unfrozen backbone stages (0 trains the projection alone). @defaultValue `1e-5` */
  backboneLearningRate?: number;
  /** Adam learning rate of the projection (`fc`, the net's head). @defaultValue `1e-4` */
  headLearningRate?: number;
}

const NOT_FOR_FINE_TUNING = ['reduction', 'fallback', 'classification'] as const;

/**
 * @internal The triplet objective as the fine-tune loop runs it: P×K
 * batches with online batch-hard or semi-hard mining (margin 0.1 on L2 and
 * P = 8 × K = 4 by default), two Adam optimisers (backbone, projection),
 * checkpoints of both optimisers and the random state, and the validation
 * EER of the embeddings' distances (ties: the scale-free triplet loss).
 */
export function tripletFineTuning(net: FaceResNet, objective: TripletObjective, options: TripletFineTuneLearningRates & { augmentations?: number; stepsPerEpoch?: number }, fn: string): FineTuneObjectiveRunner {
  for (const key of NOT_FOR_FINE_TUNING) {
    if (objective[key] !== undefined) throw new InvalidArgumentError({ fn, argument: `options.objective.${key}`, message: `fineTune does not use ${key}; leave it out (train uses it).` });
  }
  const strategy = objective.strategy ?? 'batch-hard';
  if (strategy !== 'batch-hard' && strategy !== 'semi-hard') throw new InvalidArgumentError({ fn, argument: 'options.objective.strategy', message: `fineTune mines 'batch-hard' or 'semi-hard' triplets, got ${String(strategy)}.` });
  const margin = objective.margin ?? 0.1, metric = objective.metric ?? 'l2', p = objective.p ?? 8, k = objective.k ?? 4;
  const lrBackbone = options.backboneLearningRate ?? 1e-5, lrHead = options.headLearningRate ?? 1e-4;
  assertNumber(lrBackbone, fn, 'options.backboneLearningRate', { min: 0 });
  assertNumber(lrHead, fn, 'options.headLearningRate', { min: 0, exclusiveMin: true });
  const copies = options.augmentations ?? 4, stepsPerEpoch = options.stepsPerEpoch ?? 15;
  return {
    variables: net.trainableVariables(),
    checkpointKind: 'fine-tune-face-resnet',
    checkBatches(labels) {
      createPKSampler(labels, { p, k, seed: 0 });
    },
    trainer(labels, rows, seed) {
      const t = createTripletEpochTrainer(net, {
        labels, rows, copies, strategy, margin, metric, p, k, stepsPerEpoch, backboneLearningRate: lrBackbone, headLearningRate: lrHead, seed,
      });
      const strip = (list: { name: string }[]) => list.map((w) => w.name.replace(`${net.uid}/`, ''));
      return {
        trainEpoch: (features) => t.trainEpoch(features),
        async saveState() {
          const head = await t.optHead.getWeights(), backbone = await t.optBackbone.getWeights();
          const rename = (prefix: string, list: { name: string; tensor: tf.Tensor }[]) => list.map((w, i) => ({ name: `${prefix}/${i}`, tensor: w.tensor }));
          return {
            state: { sampler: t.sampler.getState(), rng: t.rnd.state, optimizers: { head: strip(head), backbone: strip(backbone) } },
            tensors: [...rename('optimizer/head', head), ...rename('optimizer/backbone', backbone)],
            temporaries: [head[0]!.tensor, backbone[0]!.tensor], // the iteration counters are new scalars; moments are the optimiser's own
          };
        },
        async restoreState(state, tensors, fail) {
          const st = state as { sampler: PKSamplerState; rng: number; optimizers: { head: string[]; backbone: string[] } };
          if (st.optimizers == null || !Array.isArray(st.optimizers.head) || !Array.isArray(st.optimizers.backbone)) fail('the checkpoint has no optimiser state.');
          const opt = (prefix: string, list: string[]) => list.map((name, i) => {
            const tensor = tensors[`${prefix}/${i}`];
            if (!tensor) fail(`"${prefix}/${i}" (optimiser state) is missing.`);
            return { name: name === 'iter' ? name : `${net.uid}/${name}`, tensor: tensor! };
          });
          const head = opt('optimizer/head', st.optimizers.head), backbone = opt('optimizer/backbone', st.optimizers.backbone);
          await t.optHead.setWeights(head);
          await t.optBackbone.setWeights(backbone);
          t.sampler.setState(st.sampler);
          t.rnd.state = st.rng;
        },
        dispose: () => t.dispose(),
      };
    },
    score: (features, labels, mirrored) => tripletValidationScore(net, features, labels, margin, metric, mirrored),
  };
}
