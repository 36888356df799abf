import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ShapeError } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { FaceResNet } from '@likeness/embeddings';
import { createVerificationHead } from '@likeness/siamese-binary';
import { pseudoFaces } from '../testing/pseudo-faces';
import { fineTuneSiamese, maxDiff, snapshotNetAndHead, startedHead } from '../testing/fine-tune-helpers';
import { withPretrainedFaceResNet } from '../../test/with-pretrained-face-resnet';

let net: FaceResNet;
let train: ReturnType<typeof pseudoFaces>, val: ReturnType<typeof pseudoFaces>;

withPretrainedFaceResNet((n) => { net = n; train = pseudoFaces(4, 3, 0); val = pseudoFaces(2, 3, 10); return [train, val]; });


describe('fineTune: siamese objective, select: { validation }', () => {
  it('lowers the validation BCE on learnable data, trains only the unfrozen stages, fc and the head, keeps the best epoch', async () => {
    const ft = FaceResNet.fromPretrained(net, { trainableStages: 1 });
    const head = startedHead();
    const before = ft.exportWeights();
    const w0 = tf.clone(head.weights);
    // validation = the training people: fitting them must lower the validation loss
    const r = await fineTuneSiamese(ft, head, train, { validation: train, epochs: 3, stepsPerEpoch: 3, batchSize: 16, augmentations: 2, backboneLearningRate: 1e-4, projectionLearningRate: 1e-3, headLearningRate: 1e-2, patience: 3, keepBest: { minConfidence: 0 } });
    expect(r.history.map((h) => h.epoch)).toEqual([0, 1, 2, 3]);
    expect(Number.isNaN(r.history[0]!.loss)).toBe(true);
    expect(r.bestEpoch).toBeGreaterThan(0);
    const bestLoss = Math.min(...r.history.map((h) => h.validationLoss));
    expect(r.history.find((h) => h.epoch === r.bestEpoch)!.validationLoss).toBe(bestLoss);
    expect(bestLoss).toBeLessThan(r.history[0]!.validationLoss);
    const after = ft.exportWeights();
    expect(maxDiff(before.fc!, after.fc!)).toBeGreaterThan(0);
    expect(maxDiff(before['conv256_down_out/conv1/conv/filters']!, after['conv256_down_out/conv1/conv/filters']!)).toBeGreaterThan(0);
    expect(maxDiff(before['conv256_2/conv1/conv/filters']!, after['conv256_2/conv1/conv/filters']!)).toBe(0);
    expect(maxDiff(w0, head.weights)).toBeGreaterThan(0);
    tf.dispose([...Object.values(before), ...Object.values(after), w0]);
    ft.dispose();
    head.dispose();
  }, 300_000);

  it('the keep-best guard (default, shared with the triplet objective) keeps the starting net and head when the EER gain is not significant', async () => {
    const opts = { validation: train, epochs: 2, stepsPerEpoch: 3, batchSize: 16, augmentations: 2, backboneLearningRate: 1e-4, projectionLearningRate: 1e-3, headLearningRate: 1e-2, patience: 3 };
    const ft = FaceResNet.fromPretrained(net, { trainableStages: 1 });
    const head = startedHead();
    const w0 = tf.clone(head.weights);
    const r = await fineTuneSiamese(ft, head, train, opts);
    const ft2 = FaceResNet.fromPretrained(net, { trainableStages: 1 });
    const head2 = startedHead();
    const r0 = await fineTuneSiamese(ft2, head2, train, { ...opts, keepBest: { minConfidence: 0 } });
    expect(r.history.map((h) => h.validationLoss)).toEqual(r0.history.map((h) => h.validationLoss)); // same training, only the choice differs
    expect(r0.bestEpoch).toBeGreaterThan(0); // without the guard: a lower BCE at an EER no lower is kept
    expect(r.bestEpoch).toBe(0);
    expect(Number.isNaN(r.history[0]!.confidence)).toBe(true);
    for (const h of r.history.slice(1)) expect(h.confidence < 0.95 || h.validationEer >= r.history[0]!.validationEer).toBe(true);
    expect(maxDiff(w0, head.weights)).toBe(0);
    await expect(fineTuneSiamese(ft, head, train, { ...opts, keepBest: { resamples: 0 } })).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e));
    w0.dispose();
    [ft, ft2, head, head2].forEach((x) => x.dispose());
  }, 300_000);

  it('never ends worse than it started: wrong labels leave the starting net and head in place and stop early', async () => {
    const ft = FaceResNet.fromPretrained(net, { trainableStages: 1 });
    const head = startedHead();
    const snapshot = snapshotNetAndHead(ft, head);
    // "same person" = same image index across people: learning it hurts the true labels' validation
    const wrong = { images: train.images, labels: Int32Array.from(train.labels, (_, i) => i % 3) };
    const r = await fineTuneSiamese(ft, head, wrong, { validation: train, epochs: 4, stepsPerEpoch: 3, batchSize: 16, augmentations: 1, backboneLearningRate: 1e-4, projectionLearningRate: 1e-3, headLearningRate: 1e-2, patience: 1 });
    expect(r.history[1]!.validationLoss).toBeGreaterThan(r.history[0]!.validationLoss);
    expect(r.bestEpoch).toBe(0);
    expect(r.stoppedEarly).toBe(true);
    snapshot.expectUnchanged();
    ft.dispose();
    head.dispose();
  }, 300_000);

  it('leaks nothing and throws typed errors', async () => {
    const ft = FaceResNet.fromPretrained(net, { trainableStages: 1 });
    const head = startedHead();
    await expectNoLeaks(() => fineTuneSiamese(ft, head, train, { validation: val, epochs: 1, stepsPerEpoch: 1, batchSize: 8, augmentations: 2 }));
    await expect(fineTuneSiamese(ft, head, train, null as never)).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e));
    await expect(fineTuneSiamese(ft, head, { images: tf.zeros([2, 112, 92, 3]) as tf.Tensor4D, labels: [0, 1] }, { validation: val })).rejects.toSatisfy((e) => ShapeError.isInstance(e));
    const small = createVerificationHead({ embeddingSize: 64 });
    await expect(fineTuneSiamese(ft, small, train, { validation: val })).rejects.toSatisfy((e) => ShapeError.isInstance(e));
    await expect(fineTuneSiamese(ft, head, train, { validation: val, epochs: -1 })).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e));
    await expect(fineTuneSiamese(null as never, head, train, { validation: val })).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e));
    small.dispose();
    ft.dispose();
    head.dispose();
  }, 300_000);
});
