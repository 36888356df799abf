import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ShapeError } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { equalErrorRate, FaceResNet } from '@likeness/embeddings';
import { createVerificationHead } from '@likeness/siamese-binary';
import { trainHead } from './train-siamese';
import { pseudoFaces } from '../testing/pseudo-faces';
import { fineTuneSiamese, maxDiff, snapshotNetAndHead, startedHead } from '../testing/fine-tune-helpers';
import { withPretrainedFaceResNet } from '../../test/with-pretrained-face-resnet';
import type { FineTuneEpoch } from '../fine-tune/fine-tune-loop';

let net: FaceResNet;
let train: ReturnType<typeof pseudoFaces>;

withPretrainedFaceResNet((n) => { net = n; train = pseudoFaces(6, 3, 0); return [train]; });

const fast = { stepsPerEpoch: 2, batchSize: 8, augmentations: 2, backboneLearningRate: 1e-4, projectionLearningRate: 1e-3, headLearningRate: 1e-2 };

describe('fineTune: siamese objective, select: { crossValidate }', () => {
  it('chooses among the pooled epochs with the guard; the final fit equals the validation-selected fineTune of e* epochs (same seed, head fitted on all people)', async () => {
    const ft = FaceResNet.fromPretrained(net, { trainableStages: 1 });
    const head = createVerificationHead({ embeddingSize: 128 });
    const w0 = tf.clone(head.weights);
    const r = await fineTuneSiamese(ft, head, train, { ...fast, folds: 2, epochs: 2, seed: 3, fitHead: { steps: 20 }, keepBest: { minConfidence: 0 } });
    expect(r.folds.map((f) => f.people.length)).toEqual([3, 3]);
    expect(r.folds.map((f) => f.history.map((h) => h.epoch))).toEqual([[0, 1, 2], [0, 1, 2]]);
    expect(r.pooledPairs).toEqual({ same: 6 * 3, different: 2 * 3 * 9 });
    expect(r.pooled.map((p) => p.epoch)).toEqual([0, 1, 2]);
    expect(r.chosenEpoch).toBeGreaterThan(0); // the guard off: the best pooled point estimate is kept
    // replay: a fresh net, the same head start, trainHead on all people's frozen embeddings, then the plain fine-tuner for e* epochs
    const ft2 = FaceResNet.fromPretrained(net, { trainableStages: 1 });
    const head2 = createVerificationHead({ embeddingSize: 128 });
    head2.weights.assign(w0);
    const e = tf.tidy(() => ft2.encode(train.images));
    await trainHead(head2, e, train.labels, { seed: 3, steps: 20 });
    e.dispose();
    let snap: tf.NamedTensorMap | undefined, hw: tf.Tensor | undefined;
    await fineTuneSiamese(ft2, head2, train, {
      ...fast, validation: train, epochs: Math.max(1, r.chosenEpoch), seed: 3, patience: 5, keepBest: { minConfidence: 0 },
      onEpoch: (h: FineTuneEpoch) => { if (h.epoch === r.chosenEpoch) { snap = ft2.exportWeights(); hw = tf.clone(head2.weights); } },
    });
    const got = ft.exportWeights();
    for (const name of Object.keys(got)) expect(maxDiff(got[name]!, snap![name]!)).toBeLessThan(1e-6);
    expect(maxDiff(head.weights, hw!)).toBeLessThan(1e-6);
    tf.dispose([...Object.values(got), ...Object.values(snap!), hw!, w0]);
    [ft, ft2, head, head2].forEach((x) => x.dispose());
  }, 300_000);

  it('e* = 0 (the guard refuses) leaves the net bit-identical to its start; fitHead: false leaves the head as given too', async () => {
    const ft = FaceResNet.fromPretrained(net, { trainableStages: 1 });
    const head = startedHead();
    const snapshot = snapshotNetAndHead(ft, head);
    const r = await fineTuneSiamese(ft, head, train, { ...fast, folds: 2, epochs: 1, fitHead: false, keepBest: { minConfidence: 1, resamples: 20 } });
    expect(r.chosenEpoch).toBe(0);
    snapshot.expectUnchanged();
    ft.dispose();
    head.dispose();
  }, 300_000);

  it("score: 'l2' pools the plain L2 distances of the folds' own pairs (checked against the encoder's embeddings, by hand)", async () => {
    const ft = FaceResNet.fromPretrained(net, { trainableStages: 1 });
    const head = startedHead();
    const start = ft.encode(train.images); // epoch 0 of every fold is the starting net
    const e = start.arraySync();
    start.dispose();
    const r = await fineTuneSiamese(ft, head, train, { ...fast, folds: 2, epochs: 1, fitHead: false, score: 'l2', keepBest: { resamples: 20 } });
    const lab = Array.from(train.labels);
    const d: number[] = [], same: number[] = [];
    for (const f of r.folds) {
      const rows = lab.map((l, i) => (f.people.includes(l) ? i : -1)).filter((i) => i >= 0);
      for (let a = 0; a < rows.length; a++) for (let b = a + 1; b < rows.length; b++) {
        d.push(Math.hypot(...e[rows[a]!]!.map((v, k) => v - e[rows[b]!]![k]!)));
        same.push(lab[rows[a]!] === lab[rows[b]!] ? 1 : 0);
      }
    }
    expect(r.pooled[0]!.eer).toBeCloseTo(equalErrorRate(d, same).eer, 6);
    const pos = d.filter((_, i) => same[i]), neg = d.filter((_, i) => !same[i]);
    const foldLoss = r.folds.map((f) => f.history[0]!.validationLoss);
    expect(foldLoss.every((v) => v > 0 && v < 1)).toBe(true);
    expect(r.pooled[0]!.loss).toBeCloseTo((foldLoss[0]! + foldLoss[1]!) / 2, 10);
    expect(pos.length + neg.length).toBe(r.pooledPairs.same + r.pooledPairs.different);
    [ft, head].forEach((x) => x.dispose());
  }, 300_000);

  it('leaks nothing and throws typed errors', async () => {
    const ft = FaceResNet.fromPretrained(net, { trainableStages: 1 });
    const head = startedHead();
    // warm-up outside the leak check (a fresh copy's fc shares its buffer with the pretrained net's until first replaced)
    await fineTuneSiamese(ft, head, train, { ...fast, folds: 2, epochs: 1, fitHead: { steps: 5 } });
    await expectNoLeaks(() => fineTuneSiamese(ft, head, train, { ...fast, folds: 2, epochs: 1, fitHead: { steps: 5 } }));
    await expect(fineTuneSiamese(ft, head, train, { folds: 1 })).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e));
    await expect(fineTuneSiamese(ft, head, train, { folds: 4 })).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e)); // 6 people: a fold of 1
    await expect(fineTuneSiamese(ft, head, train, { epochs: 0, folds: 2 })).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e));
    await expect(fineTuneSiamese(ft, head, train, { fitHead: 3 as never, folds: 2 })).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e));
    await expect(fineTuneSiamese(ft, head, train, { score: 'cosine' as never, folds: 2 })).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e));
    for (const name of ['backboneLearningRate', 'projectionLearningRate', 'headLearningRate'] as const) {
      await expect(fineTuneSiamese(ft, head, train, { [name]: -1, folds: 2 })).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e) && (e as InvalidArgumentError).argument === `options.${name}`);
    }
    await expect(fineTuneSiamese(ft, head, train, { keepBest: { resamples: 0 }, folds: 2 })).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e));
    await expect(fineTuneSiamese(ft, head, { images: tf.zeros([2, 112, 92, 3]) as tf.Tensor4D, labels: [0, 1] })).rejects.toSatisfy((e) => ShapeError.isInstance(e));
    const small = createVerificationHead({ embeddingSize: 64 });
    await expect(fineTuneSiamese(ft, small, train)).rejects.toSatisfy((e) => ShapeError.isInstance(e));
    await expect(fineTuneSiamese(null as never, head, train)).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e));
    [small, ft, head].forEach((x) => x.dispose());
  }, 300_000);
});
