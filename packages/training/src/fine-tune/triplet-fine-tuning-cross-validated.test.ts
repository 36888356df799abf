import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ShapeError } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { FaceResNet } from '@likeness/embeddings';
import { fineTuneTriplet } from '../testing/fine-tune-helpers';
import { withPretrainedFaceResNet } from '../../test/with-pretrained-face-resnet';
import type { FineTuneEpoch } from '../fine-tune/fine-tune-loop';
import { pseudoFaces } from '../testing/pseudo-faces';

let net: FaceResNet;
let train: ReturnType<typeof pseudoFaces>, learnable: ReturnType<typeof pseudoFaces>;

// learnable: people whose images differ by a larger phase step: training on 3 of them lowers the other 3's EER (phase invariance transfers)
withPretrainedFaceResNet((n) => { net = n; train = pseudoFaces(6, 3, 0); learnable = pseudoFaces(6, 3, 0, 4, 0.5); return [train, learnable]; });

const diff = (a: tf.NamedTensorMap, b: tf.NamedTensorMap) => Math.max(...Object.keys(a).map((k) => tf.tidy(() => tf.max(tf.abs(tf.sub(a[k]!, b[k]!))).dataSync()[0]!)));
const fast = { stepsPerEpoch: 2, p: 2, k: 2, augmentations: 2, headLearningRate: 1e-3, backboneLearningRate: 1e-4, margin: 0.5 };

describe('fineTune: triplet objective, select: { crossValidate }', () => {
  it('the final fit of e* epochs equals fineTune with { validation } for e* epochs with the same seed (same weights), folds by identity', async () => {
    const ft = FaceResNet.fromPretrained(net, { trainableStages: 1 });
    const r = await fineTuneTriplet(ft, learnable, { ...fast, stepsPerEpoch: 3, folds: 2, epochs: 2, seed: 4, keepBest: { minConfidence: 0 } });
    expect(r.folds.map((f) => f.people.length)).toEqual([3, 3]);
    expect(new Set(r.folds.flatMap((f) => f.people)).size).toBe(6);
    expect(r.pooledPairs).toEqual({ same: 6 * 3, different: 2 * 3 * 9 });
    expect(r.pooled[r.chosenEpoch]!.eer).toBeLessThan(r.pooled[0]!.eer);
    expect(r.chosenEpoch).toBeGreaterThan(0); // the guard off: the best pooled point estimate is kept
    expect(r.finalFit.length).toBe(r.chosenEpoch);
    const plain = FaceResNet.fromPretrained(net, { trainableStages: 1 });
    let snap: tf.NamedTensorMap | undefined;
    await fineTuneTriplet(plain, learnable, {
      ...fast, stepsPerEpoch: 3, validation: learnable, epochs: r.chosenEpoch, seed: 4, patience: 5, keepBest: { minConfidence: 0 },
      onEpoch: (h: FineTuneEpoch) => { if (h.epoch === r.chosenEpoch) snap = plain.exportWeights(); },
    });
    const got = ft.exportWeights(), start = net.exportWeights();
    expect(diff(got, snap!)).toBe(0);
    expect(diff(got, start)).toBeGreaterThan(0);
    tf.dispose([...Object.values(got), ...Object.values(snap!), ...Object.values(start)]);
    [ft, plain].forEach((x) => x.dispose());
  }, 300_000);

  it('e* = 0 leaves the net bit-identical to its starting weights, though every fold trained', async () => {
    const ft = FaceResNet.fromPretrained(net, { trainableStages: 1 });
    const before = ft.exportWeights();
    const r = await fineTuneTriplet(ft, train, { ...fast, folds: 2, epochs: 1, keepBest: { minConfidence: 1, resamples: 50 } });
    expect(r.chosenEpoch).toBe(0);
    expect(r.folds.every((f) => f.history[1]!.loss > 0)).toBe(true);
    const after = ft.exportWeights();
    expect(diff(before, after)).toBe(0);
    tf.dispose([...Object.values(before), ...Object.values(after)]);
    ft.dispose();
  }, 300_000);

  it('leaks nothing and throws typed errors before the feature cache', async () => {
    const ft = FaceResNet.fromPretrained(net, { trainableStages: 1 });
    await fineTuneTriplet(ft, train, { ...fast, folds: 2, epochs: 1 }); // the first Adam step replaces fc's shared buffer (see fine-tune-face-resnet.test.ts)
    await expectNoLeaks(() => fineTuneTriplet(ft, train, { ...fast, folds: 2, epochs: 1, strategy: 'semi-hard' }));
    const bad = (o: object) => expect(fineTuneTriplet(ft, train, { ...fast, folds: 2, ...o })).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e));
    await bad({ folds: 1 });
    await bad({ folds: 4 }); // 6 people: a fold of one person
    await bad({ p: 4 }); // a fold's 3 training people cannot fill P = 4
    await bad({ epochs: 0 });
    await bad({ strategy: 'hardest' });
    await bad({ keepBest: { minConfidence: -1 } });
    await expect(fineTuneTriplet(ft, { images: tf.zeros([2, 112, 92, 3]) as tf.Tensor4D, labels: [0, 1] })).rejects.toSatisfy((e) => ShapeError.isInstance(e));
    await expect(fineTuneTriplet(null as never, train)).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e));
    ft.dispose();
  }, 300_000);
});
