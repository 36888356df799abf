import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ShapeError } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { equalErrorRate, FaceResNet, flipAveragedEncoder, rocAuc } from '@likeness/embeddings';
import { CheckpointCorruptError } from '../errors/checkpoint-corrupt-error';
import { memoryCheckpointStore } from '../trainer/checkpoint';
import { fineTuneTriplet } from '../testing/fine-tune-helpers';
import { withPretrainedFaceResNet } from '../../test/with-pretrained-face-resnet';
import { pseudoFaces } from '../testing/pseudo-faces';

let net: FaceResNet;
let train: ReturnType<typeof pseudoFaces>, val: ReturnType<typeof pseudoFaces>;

withPretrainedFaceResNet((n) => { net = n; train = pseudoFaces(4, 3, 0); val = pseudoFaces(2, 3, 10); return [train, val]; });

const same = (a: tf.NamedTensorMap, b: tf.NamedTensorMap, name: string) => tf.tidy(() => tf.max(tf.abs(tf.sub(a[name]!, b[name]!))).dataSync()[0]!);

describe('fineTune: triplet objective, select: { validation }', () => {
  it('improves the validation loss on learnable data, changes only the unfrozen stages, and keeps the best epoch', async () => {
    const ft = FaceResNet.fromPretrained(net, { trainableStages: 1 });
    const before = ft.exportWeights();
    // validation = the training people: fitting them must lower the validation loss
    const r = await fineTuneTriplet(ft, train, { validation: train, epochs: 3, stepsPerEpoch: 3, p: 3, k: 2, augmentations: 2, headLearningRate: 1e-3, backboneLearningRate: 1e-4, margin: 0.5, patience: 3, keepBest: { minConfidence: 0 } });
    expect(r.history.map((h) => h.epoch)).toEqual([0, 1, 2, 3]);
    expect(r.bestEpoch).toBeGreaterThan(0);
    const bestLoss = Math.min(...r.history.map((h) => h.validationLoss));
    expect(r.history.find((h) => h.epoch === r.bestEpoch)!.validationLoss).toBe(bestLoss);
    expect(bestLoss).toBeLessThan(r.history[0]!.validationLoss);
    const after = ft.exportWeights();
    expect(same(before, after, 'fc')).toBeGreaterThan(0);
    expect(same(before, after, 'conv256_down_out/conv1/conv/filters')).toBeGreaterThan(0);
    expect(same(before, after, 'conv256_2/conv1/conv/filters')).toBe(0);
    expect(same(before, after, 'conv32_down/conv/filters')).toBe(0);
    tf.dispose([...Object.values(before), ...Object.values(after)]);
    ft.dispose();
  }, 300_000);

  it('the keep-best guard (default) keeps the starting weights when the validation EER gain is not significant', async () => {
    const ft = FaceResNet.fromPretrained(net, { trainableStages: 1 });
    const before = ft.exportWeights();
    const opts = { validation: train, epochs: 2, stepsPerEpoch: 3, p: 3, k: 2, augmentations: 2, headLearningRate: 1e-3, backboneLearningRate: 1e-4, margin: 0.5, patience: 3 };
    const r = await fineTuneTriplet(ft, train, opts);
    // the same run without the guard keeps a later epoch (a lower validation loss at an EER no lower: not significant)
    const off = FaceResNet.fromPretrained(net, { trainableStages: 1 });
    const r0 = await fineTuneTriplet(off, train, { ...opts, keepBest: { minConfidence: 0 } });
    expect(r0.bestEpoch).toBeGreaterThan(0);
    expect(r.history.map((h) => h.validationLoss)).toEqual(r0.history.map((h) => h.validationLoss));
    expect(r.bestEpoch).toBe(0);
    expect(Number.isNaN(r.history[0]!.confidence)).toBe(true);
    for (const h of r.history.slice(1)) {
      expect(h.confidence).toBeGreaterThanOrEqual(0);
      expect(h.confidence < 0.95 || h.validationEer >= r.history[0]!.validationEer).toBe(true);
      expect(h.best).toBe(false);
    }
    const after = ft.exportWeights();
    for (const name of Object.keys(before)) expect(same(before, after, name)).toBe(0);
    await expect(fineTuneTriplet(ft, train, { ...opts, keepBest: { minConfidence: 2 } })).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e));
    tf.dispose([...Object.values(before), ...Object.values(after)]);
    [ft, off].forEach((x) => x.dispose());
  }, 300_000);

  it('never ends worse than it started: training on wrong labels leaves the starting weights in place and stops early', async () => {
    const ft = FaceResNet.fromPretrained(net, { trainableStages: 1 });
    const before = ft.exportWeights();
    // "same person" = same image index across people: learning it hurts the true labels' validation
    const wrong = { images: train.images, labels: Int32Array.from(train.labels, (_, i) => i % 3) };
    const r = await fineTuneTriplet(ft, wrong, { validation: train, epochs: 4, stepsPerEpoch: 3, p: 3, k: 2, augmentations: 1, headLearningRate: 1e-3, backboneLearningRate: 1e-4, margin: 0.5, patience: 1, strategy: 'semi-hard' });
    expect(r.history[1]!.validationLoss).toBeGreaterThan(r.history[0]!.validationLoss);
    expect(r.bestEpoch).toBe(0);
    expect(r.stoppedEarly).toBe(true);
    expect(r.history.length).toBe(2);
    const after = ft.exportWeights();
    for (const name of Object.keys(before)) expect(same(before, after, name)).toBe(0);
    tf.dispose([...Object.values(before), ...Object.values(after)]);
    ft.dispose();
  }, 300_000);

  it('leaks nothing and throws typed errors', async () => {
    const ft = FaceResNet.fromPretrained(net, { trainableStages: 1 });
    await expectNoLeaks(() => fineTuneTriplet(ft, train, { validation: val, epochs: 1, stepsPerEpoch: 1, p: 2, k: 2, augmentations: 2 }));
    await expect(fineTuneTriplet(ft, train, null as never)).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e));
    await expect(fineTuneTriplet(ft, { images: tf.zeros([2, 112, 92, 3]) as tf.Tensor4D, labels: [0, 1] }, { validation: val })).rejects.toSatisfy((e) => ShapeError.isInstance(e));
    await expect(fineTuneTriplet(ft, train, { validation: val, strategy: 'hardest' as never })).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e));
    await expect(fineTuneTriplet(ft, train, { validation: val, epochs: -1 })).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e));
    ft.dispose();
  }, 300_000);

  const ckptBase = () => ({ validation: val, stepsPerEpoch: 1, p: 2, k: 2, augmentations: 2, patience: 10 });
  it('leaks nothing when saving or resuming, refuses a checkpoint of another net, and checks its options', async () => {
    const store = memoryCheckpointStore();
    const one = FaceResNet.fromPretrained(net, { trainableStages: 1 });
    // not under the leak check: a fresh copy's projection (fc) shares its buffer with the pretrained net's fc
    // until the variable is first replaced (an Adam step, or a resume): one more dataId then, no more tensors
    await fineTuneTriplet(one, train, { ...ckptBase(), epochs: 1, checkpoint: { store } });
    await fineTuneTriplet(one, train, { ...ckptBase(), epochs: 2, checkpoint: { store } });
    await expectNoLeaks(() => fineTuneTriplet(one, train, { ...ckptBase(), epochs: 3, checkpoint: { store } }));
    await expectNoLeaks(() => fineTuneTriplet(one, train, { ...ckptBase(), epochs: 1, checkpoint: { store: memoryCheckpointStore() } }));
    expect(store.saves).toBe(3);
    const two = FaceResNet.fromPretrained(net, { trainableStages: 2 });
    await expect(fineTuneTriplet(two, train, { ...ckptBase(), epochs: 3, checkpoint: { store } })).rejects.toSatisfy((e) => CheckpointCorruptError.isInstance(e));
    await expect(fineTuneTriplet(one, train, { ...ckptBase(), checkpoint: { store: {} as never } })).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e));
    await expect(fineTuneTriplet(one, train, { ...ckptBase(), checkpoint: { store, every: 0 } })).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e));
    [one, two].forEach((x) => x.dispose());
  }, 600_000);

  it('validationFlip scores the validation people with flip-averaged embeddings (checked against flipAveragedEncoder, by hand)', async () => {
    const ft = FaceResNet.fromPretrained(net, { trainableStages: 1 });
    const margin = 5; // every triplet active: the loss is the mean of (d(a,p) − d(a,n))/mean d + margin
    const opts = { validation: val, epochs: 0, margin, p: 2, k: 2 };
    const flipped = await fineTuneTriplet(ft, train, { ...opts, validationFlip: true });
    const plain = await fineTuneTriplet(ft, train, opts);
    const e = tf.tidy(() => flipAveragedEncoder(ft).encode(val.images)).arraySync();
    const lab = Array.from(val.labels);
    const dist = (i: number, j: number) => Math.hypot(...e[i]!.map((v, k) => v - e[j]![k]!));
    const d: number[] = [], same: number[] = [];
    for (let i = 0; i < e.length; i++) for (let j = i + 1; j < e.length; j++) { d.push(dist(i, j)); same.push(lab[i] === lab[j] ? 1 : 0); }
    const meanD = d.reduce((a, b) => a + b, 0) / d.length;
    let loss = 0, count = 0;
    for (let a = 0; a < e.length; a++) for (let p = 0; p < e.length; p++) {
      if (p === a || lab[p] !== lab[a]) continue;
      for (let q = 0; q < e.length; q++) if (lab[q] !== lab[a]) { loss += Math.max(0, (dist(a, p) - dist(a, q)) / meanD + margin); count++; }
    }
    const h = flipped.history[0]!;
    expect(h.validationLoss).toBeCloseTo(loss / count, 4);
    expect(h.validationAuc).toBeCloseTo(rocAuc(d, same), 6);
    expect(h.validationEer).toBeCloseTo(equalErrorRate(d, same).eer, 6);
    expect(Math.abs(plain.history[0]!.validationLoss - h.validationLoss)).toBeGreaterThan(1e-4);
    await expectNoLeaks(() => fineTuneTriplet(ft, train, { ...opts, epochs: 1, stepsPerEpoch: 1, augmentations: 1, validationFlip: true }));
    ft.dispose();
  }, 300_000);
});
