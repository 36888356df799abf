import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@likeness/backends';
import type { Encoder } from '@likeness/embeddings';
import type { SiameseObjective } from '@likeness/siamese-binary';
import type { TripletObjective } from '@likeness/triplet';
import { trainTriplet, type TrainTripletOptions, type TripletTrainingOptions, type TripletTrainResult } from './train-triplet';
import { trainSiameseEndToEnd, type SiameseTrainingOptions, type SiameseTrainResult, type TrainSiameseOptions } from '../siamese/train-siamese';
import { objectiveKind } from '../internal/objective-kind';

/** `train` with a triplet objective. */
export type TripletTrainOptions = {
  /** `tripletObjective({ strategy, margin, p, k, classification, … })` of `@likeness/triplet`. */
  objective: TripletObjective;
} & TripletTrainingOptions;
/** `train` with a siamese objective: the encoder (shared by both sides) and the head learn together. */
export type SiameseTrainOptions = {
  /** `siameseObjective(head, { batchSize, positiveFraction })` of `@likeness/siamese-binary`. */
  objective: SiameseObjective;
} & SiameseTrainingOptions;
/** Options of {@link train}: an objective and the training options. */
export type TrainOptions = TripletTrainOptions | SiameseTrainOptions;

/**
 * Trains any `Encoder` of `@likeness/embeddings` on labelled images with an
 * objective: `tripletObjective({ strategy, margin, p, k, classification, … })`
 * of `@likeness/triplet` (P×K batches, online mining, optional margin-softmax
 * term; checkpoints, early stopping, degenerate-batch guards) or
 * `siameseObjective(head)` of `@likeness/siamese-binary` (balanced pairs,
 * binary cross-entropy, the head trained with the encoder). The other
 * options are the training's: `steps`, `optimizer`, `learningRate`,
 * `schedule`, `seed`, `augment`, `onProgress`, …. Same options and seed,
 * same weights.
 *
 * @example
 * ```ts
 * const encoder = createCompactEncoder({ inputShape: [56, 46, 1] });
 * const r = await train(encoder, { images, labels }, {           // images [N,56,46,1], labels number[N]
 *   objective: tripletObjective({ strategy: 'batch-hard', margin: 0.2 }), steps: 300, schedule: 'cosine',
 * });                                                           // r.losses, r.warnings
 * ```
 */
export function train(encoder: Encoder, faces: { images: tf.Tensor4D; labels: ArrayLike<number> }, options: TripletTrainOptions): Promise<TripletTrainResult>;
export function train(encoder: Encoder, faces: { images: tf.Tensor4D; labels: ArrayLike<number> }, options: SiameseTrainOptions): Promise<SiameseTrainResult>;
export async function train(encoder: Encoder, faces: { images: tf.Tensor4D; labels: ArrayLike<number> }, options: TrainOptions): Promise<TripletTrainResult | SiameseTrainResult> {
  const fn = 'train';
  if (options == null || typeof options !== 'object') {
    throw new InvalidArgumentError({ fn, argument: 'options', message: 'expected { objective, … } with an objective made by tripletObjective or siameseObjective.' });
  }
  const { objective, ...rest } = options;
  if (objectiveKind(fn, objective) === 'triplet') {
    const { kind: _, ...fields } = objective as TripletObjective;
    return trainTriplet(encoder, faces, { ...rest, ...fields } as TrainTripletOptions);
  }
  const { kind: _, head, ...fields } = objective as SiameseObjective;
  return trainSiameseEndToEnd(encoder, head, faces, { ...rest, ...fields } as TrainSiameseOptions);
}
