import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { syntheticFaces, tinyEncoder } from '@likeness/embeddings/testing';
import { createVerificationHead, siameseObjective } from '@likeness/siamese-binary';
import { tripletObjective } from '@likeness/triplet';
import { train } from './train';
import { trainTriplet } from './train-triplet';
import { trainSiameseEndToEnd } from '../siamese/train-siamese';

const SHAPE: [number, number, number] = [6, 6, 1];
let data: ReturnType<typeof syntheticFaces>;
beforeAll(async () => {
  await useBackend('cpu');
  data = syntheticFaces(6, 4, SHAPE, 0.3, 5);
});
afterAll(() => data.images.dispose());

const weights = (vars: tf.Variable[]) => vars.map((v) => Array.from(v.dataSync()));
const quiet = { onWarning: () => undefined };

describe('train', () => {
  it('with tripletObjective: bit-identical to the triplet trainer with the same options and seed', async () => {
    for (const o of [{ strategy: 'batch-hard' as const, margin: 0.5, p: 3, k: 2 }, { strategy: 'none' as const, classification: { weight: 0.5 }, p: 3, k: 2, metric: 'l2' as const }]) {
      const a = tinyEncoder(SHAPE, 4, { seed: 2 }), b = tinyEncoder(SHAPE, 4, { seed: 2 });
      const ra = await train(a, data, { objective: tripletObjective(o), steps: 4, learningRate: 0.05, seed: 9, ...quiet });
      const rb = await trainTriplet(b, data, { ...o, steps: 4, learningRate: 0.05, seed: 9, ...quiet });
      expect(ra.losses).toEqual(rb.losses);
      expect(ra.losses.some((l) => l > 0)).toBe(true);
      expect(weights(a.trainableVariables())).toEqual(weights(b.trainableVariables()));
      a.dispose();
      b.dispose();
    }
  });

  it('with siameseObjective: bit-identical to end-to-end siamese training (encoder and head)', async () => {
    const a = tinyEncoder(SHAPE, 4, { seed: 3 }), b = tinyEncoder(SHAPE, 4, { seed: 3 });
    const ha = createVerificationHead({ embeddingSize: 4 }), hb = createVerificationHead({ embeddingSize: 4 });
    const ra = await train(a, data, { objective: siameseObjective(ha, { batchSize: 8, positiveFraction: 0.25 }), steps: 5, learningRate: 0.02, seed: 4 });
    const rb = await trainSiameseEndToEnd(b, hb, data, { batchSize: 8, positiveFraction: 0.25, steps: 5, learningRate: 0.02, seed: 4 });
    expect(ra.losses).toEqual(rb.losses);
    expect(weights([...a.trainableVariables(), ...ha.trainableVariables()])).toEqual(weights([...b.trainableVariables(), ...hb.trainableVariables()]));
    [a, b, ha, hb].forEach((x) => x.dispose());
  });

  it('leaks nothing, and a missing or foreign objective is a typed error naming options.objective', async () => {
    const enc = tinyEncoder(SHAPE, 4, { seed: 1 });
    await train(enc, data, { objective: tripletObjective({ p: 3, k: 2 }), steps: 1, ...quiet }); // the first Adam step creates the optimiser's slots
    await expectNoLeaks(() => train(enc, data, { objective: tripletObjective({ p: 3, k: 2 }), steps: 2, ...quiet }));
    const bad = (options: unknown) => expect(train(enc, data, options as never)).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e) && (e as InvalidArgumentError).argument === 'options.objective');
    await bad({ steps: 1 });
    await bad({ objective: { kind: 'contrastive' } });
    await bad({ objective: 'triplet' });
    await expect(train(enc, data, undefined as never)).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e));
    enc.dispose();
  });
});

describe('the objectives', () => {
  it('check their options when made, naming the factory and the option, and are frozen', () => {
    const o = tripletObjective({ strategy: 'semi-hard', margin: 0.3 });
    expect(o).toEqual({ kind: 'triplet', strategy: 'semi-hard', margin: 0.3 });
    expect(Object.isFrozen(o)).toBe(true);
    const err = (f: () => unknown, argument: string) => expect(f).toThrowError(expect.objectContaining({ fn: expect.stringMatching(/Objective$/), argument }));
    err(() => tripletObjective({ strategy: 'hardest' as never }), 'options.strategy');
    err(() => tripletObjective({ margin: -1 }), 'options.margin');
    err(() => tripletObjective({ metric: 'cosine' as never }), 'options.metric');
    err(() => tripletObjective({ p: 1 }), 'options.p');
    err(() => tripletObjective({ strategy: 'none' }), 'options.strategy');
    const head = createVerificationHead({ embeddingSize: 4 });
    expect(siameseObjective(head, { batchSize: 8 })).toEqual({ kind: 'siamese', head, batchSize: 8 });
    err(() => siameseObjective({} as never), 'head');
    err(() => siameseObjective(head, { positiveFraction: 2 }), 'options.positiveFraction');
    err(() => siameseObjective(head, { batchSize: 0 }), 'options.batchSize');
    head.dispose();
  });
});
