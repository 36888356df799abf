import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/wasm';
import { InvalidArgumentError, useBackend } from '@likeness/backends';
import { FaceResNet } from '@likeness/embeddings';
import { loadFaceResNetFromFaceApi } from '@likeness/embeddings/node';
import { createVerificationHead, siameseObjective, type VerificationHead } from '@likeness/siamese-binary';
import { tripletObjective } from '@likeness/triplet';
import { fineTune } from './fine-tune';
import { fineTuneFaceResNet } from './fine-tune-face-resnet';
import { fineTuneFaceResNetCrossValidated } from './fine-tune-face-resnet-cross-validated';
import { fineTuneFaceResNetSiamese } from '../siamese/fine-tune-face-resnet-siamese';
import { fineTuneFaceResNetSiameseCrossValidated } from '../siamese/fine-tune-face-resnet-siamese-cross-validated';
import { pseudoFaces } from '../testing/pseudo-faces';
import { maxDiff, startedHead } from '../testing/fine-tune-helpers';

// fineTune dispatches on the objective and the selection rule to one fine-tuner each;
// with the same options and seed it must give the very same weights (bit for bit).
let net: FaceResNet;
let train: ReturnType<typeof pseudoFaces>, val: ReturnType<typeof pseudoFaces>;
beforeAll(async () => {
  await useBackend('wasm');
  net = await loadFaceResNetFromFaceApi();
  train = pseudoFaces(4, 3, 0);
  val = pseudoFaces(2, 3, 10);
}, 120_000);
afterAll(() => {
  net?.dispose();
  tf.dispose([train?.images, val?.images]);
});

const fresh = () => FaceResNet.fromPretrained(net, { trainableStages: 1 });
function expectSame(a: FaceResNet, b: FaceResNet, ha?: VerificationHead, hb?: VerificationHead): void {
  const wa = a.exportWeights(), wb = b.exportWeights();
  for (const name of Object.keys(wa)) expect(maxDiff(wa[name]!, wb[name]!)).toBe(0);
  if (ha && hb) expect(maxDiff(ha.weights, hb.weights)).toBe(0);
  tf.dispose([...Object.values(wa), ...Object.values(wb)]);
}
/** A history without its wall-clock timings. */
const untimed = (h: readonly object[]) => h.map((e) => Object.fromEntries(Object.entries(e).filter(([k]) => !/seconds/i.test(k))));
const common = { epochs: 1, stepsPerEpoch: 2, augmentations: 1, backboneLearningRate: 1e-4, headLearningRate: 1e-3, seed: 5, keepBest: { minConfidence: 0 } };

describe('fineTune', () => {
  it('tripletObjective + { validation } = the triplet fine-tuner, bit for bit', async () => {
    const a = fresh(), b = fresh();
    const ra = await fineTune(a, train, { objective: tripletObjective({ strategy: 'semi-hard', margin: 0.5, p: 2, k: 2 }), select: { validation: val }, ...common });
    const rb = await fineTuneFaceResNet(b, train, { strategy: 'semi-hard', margin: 0.5, p: 2, k: 2, validation: val, ...common });
    expect(untimed(ra.history)).toEqual(untimed(rb.history));
    expectSame(a, b);
    a.dispose();
    b.dispose();
  }, 300_000);

  it('tripletObjective + { crossValidate } = the cross-validated triplet fine-tuner, bit for bit', async () => {
    const a = fresh(), b = fresh();
    const ra = await fineTune(a, train, { objective: tripletObjective({ margin: 0.5, p: 2, k: 2 }), select: { crossValidate: { folds: 2 } }, ...common });
    const rb = await fineTuneFaceResNetCrossValidated(b, train, { margin: 0.5, p: 2, k: 2, folds: 2, ...common });
    expect(untimed(ra.pooled)).toEqual(untimed(rb.pooled));
    expect(ra.chosenEpoch).toBe(rb.chosenEpoch);
    expectSame(a, b);
    a.dispose();
    b.dispose();
  }, 300_000);

  it('siameseObjective + { validation } = the siamese fine-tuner (net and head), bit for bit', async () => {
    const a = fresh(), b = fresh(), ha = startedHead(), hb = startedHead();
    const ra = await fineTune(a, train, { objective: siameseObjective(ha, { batchSize: 8 }), select: { validation: val }, ...common, projectionLearningRate: 1e-3 });
    const rb = await fineTuneFaceResNetSiamese(b, hb, train, { batchSize: 8, validation: val, ...common, projectionLearningRate: 1e-3 });
    expect(untimed(ra.history)).toEqual(untimed(rb.history));
    expectSame(a, b, ha, hb);
    [a, b, ha, hb].forEach((x) => x.dispose());
  }, 300_000);

  it('siameseObjective + { crossValidate } = the cross-validated siamese fine-tuner, bit for bit', async () => {
    const a = fresh(), b = fresh(), ha = startedHead(), hb = startedHead();
    const ra = await fineTune(a, train, { objective: siameseObjective(ha, { batchSize: 8 }), select: { crossValidate: { folds: 2 } }, ...common, fitHead: { steps: 5 } });
    const rb = await fineTuneFaceResNetSiameseCrossValidated(b, hb, train, { batchSize: 8, folds: 2, ...common, fitHead: { steps: 5 } });
    expect(untimed(ra.pooled)).toEqual(untimed(rb.pooled));
    expectSame(a, b, ha, hb);
    [a, b, ha, hb].forEach((x) => x.dispose());
  }, 300_000);

  it('throws typed errors naming the option before any work: objective, select, options the fine-tuners do not use', async () => {
    const ft = fresh();
    const bad = (options: unknown, argument: string) => expect(fineTune(ft, train, options as never)).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e) && (e as InvalidArgumentError).argument === argument);
    await bad({ select: { validation: val } }, 'options.objective');
    await bad({ objective: { kind: 'arcface' }, select: { validation: val } }, 'options.objective');
    await bad({ objective: tripletObjective() }, 'options.select');
    await bad({ objective: tripletObjective(), select: {} }, 'options.select');
    await bad({ objective: tripletObjective(), select: { validation: val, crossValidate: {} } }, 'options.select');
    await bad({ objective: tripletObjective({ classification: true }), select: { validation: val } }, 'options.objective.classification');
    await bad({ objective: tripletObjective({ reduction: 'sum' }), select: { validation: val } }, 'options.objective.reduction');
    await expect(fineTune(ft, train, null as never)).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e));
    const head = createVerificationHead({ embeddingSize: 128 });
    await bad({ objective: siameseObjective(head), select: 'validation' }, 'options.select');
    head.dispose();
    ft.dispose();
  });
});
