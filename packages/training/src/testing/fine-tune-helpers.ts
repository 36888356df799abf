import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import type { FaceResNet } from '@likeness/embeddings';
import { createVerificationHead, siameseObjective, type SiameseObjectiveOptions, type VerificationHead } from '@likeness/siamese-binary';
import { tripletObjective, type TripletObjectiveOptions } from '@likeness/triplet';
import { fineTune } from '../fine-tune/fine-tune';
import type { LabelledFaces } from '../fine-tune/labelled-faces';
import type { CrossValidatedFineTuneResult, FineTuneResult } from '../fine-tune/fine-tune-loop';

/** Largest absolute element difference of two same-shape tensors. */
export const maxDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

/** A head that starts as "closer = more alike" on |e₁ − e₂| (w = −1, b = 2), as trainHead would leave it. */
export function startedHead(): VerificationHead {
  const head = createVerificationHead({ embeddingSize: 128 });
  head.weights.assign(tf.fill([128], -1) as tf.Tensor1D);
  head.bias.assign(tf.tensor1d([2]));
  return head;
}

/**
 * Copies the net's and the head's weights now; `expectUnchanged()` later
 * asserts every one is bit-identical to the copy, then frees the copies.
 */
export function snapshotNetAndHead(ft: FaceResNet, head: VerificationHead): {
  /** Asserts every weight is bit-identical to the snapshot, then frees the copies. */
  expectUnchanged(): void;
} {
  const before = ft.exportWeights();
  const w0 = tf.clone(head.weights);
  return {
    expectUnchanged() {
      const after = ft.exportWeights();
      for (const name of Object.keys(before)) expect(maxDiff(before[name]!, after[name]!)).toBe(0);
      expect(maxDiff(w0, head.weights)).toBe(0);
      tf.dispose([...Object.values(before), ...Object.values(after), w0]);
    },
  };
}

type Flat = Record<string, unknown> & { validation?: LabelledFaces; folds?: number; targetFar?: number };
const select = ({ validation, folds, targetFar }: Flat) => (validation !== undefined ? { validation } : { crossValidate: { folds, targetFar } });

/**
 * `fineTune` with a triplet objective, its fields and the selection given
 * flat as the tests write them: `validation` selects on validation people,
 * else `folds`/`targetFar` cross-validate (also when `options` is left out).
 * `null` options go through to `fineTune` as given.
 */
export async function fineTuneTriplet(net: FaceResNet, faces: LabelledFaces, options: Flat = {}): Promise<FineTuneResult & CrossValidatedFineTuneResult> {
  if (options === null) return (await fineTune(net, faces, options as never)) as never;
  const { strategy, margin, metric, p, k, validation, folds, targetFar, ...rest } = options as Flat & TripletObjectiveOptions;
  return (await fineTune(net, faces, { objective: tripletObjective({ strategy, margin, metric, p, k }), select: select({ validation, folds, targetFar }), ...rest } as never)) as FineTuneResult & CrossValidatedFineTuneResult;
}

/** `fineTune` with `siameseObjective(head)`, its fields and the selection given flat (see {@link fineTuneTriplet}). */
export async function fineTuneSiamese(net: FaceResNet, head: VerificationHead, faces: LabelledFaces, options: Flat = {}): Promise<FineTuneResult & CrossValidatedFineTuneResult> {
  if (options === null) return (await fineTune(net, faces, options as never)) as never;
  const { batchSize, positiveFraction, validation, folds, targetFar, ...rest } = options as Flat & SiameseObjectiveOptions;
  return (await fineTune(net, faces, { objective: siameseObjective(head, { batchSize, positiveFraction }), select: select({ validation, folds, targetFar }), ...rest } as never)) as FineTuneResult & CrossValidatedFineTuneResult;
}
