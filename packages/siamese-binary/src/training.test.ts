import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, ShapeError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { accuracyAtThreshold, rocAuc } from '@likeness/embeddings';
import { DegenerateBatchError } from '@likeness/triplet';
import { createVerificationHead } from './verification-head';
import { allPairs, createBalancedPairSampler } from './pair-sampler';
import { trainHead, trainSiameseEndToEnd } from './train-siamese';
import { calibrateHead, scorePairs } from './calibrate-head';
import { embedImages } from './embed-images';
import { SiameseVerifier } from './siamese-verifier';
import { EmptyBatchError } from './errors/empty-batch-error';
import { syntheticFaces, tinyEncoder } from './__fixtures__/tiny-encoder';

const SHAPE: [number, number, number] = [4, 4, 1];
let data: ReturnType<typeof syntheticFaces>;
beforeAll(async () => {
  await useBackend('cpu');
  data = syntheticFaces(8, 4, SHAPE, 0.3, 11);
});
afterAll(() => data.images.dispose());

describe('pair sampling', () => {
  it('balanced batches: the requested share of same pairs, labelled right, two distinct images each', () => {
    const labels = [0, 0, 0, 1, 1, 2, 3, 3, 3, 3];
    for (const positiveFraction of [0.5, 0.25]) {
      const s = createBalancedPairSampler(labels, { batchSize: 40, positiveFraction, seed: 2 });
      for (let t = 0; t < 5; t++) {
        const { left, right, same } = s.next();
        expect(same.reduce((a, b) => a + b, 0)).toBe(40 * positiveFraction);
        left.forEach((l, i) => {
          expect(l).not.toBe(right[i]);
          expect(same[i]).toBe(labels[l] === labels[right[i]!] ? 1 : 0);
        });
      }
    }
    const all = allPairs(labels);
    expect(all.left.length).toBe(45);
    expect(all.same.reduce((a, b) => a + b, 0)).toBe(3 + 1 + 6);
    expect(() => createBalancedPairSampler([0, 1, 2])).toThrowError(/no identity has two images/);
    expect(() => createBalancedPairSampler([0, 0])).toThrowError(/only one identity/);
    expect(() => createBalancedPairSampler([])).toThrowError(EmptyBatchError);
  });
});

describe('training the head', () => {
  it('head-only over a frozen encoder: embeddings stored once, AUC and calibrated accuracy beat the untrained head', async () => {
    const enc = tinyEncoder(SHAPE, 8, { seed: 4 });
    const frozen = enc.trainableVariables().map((v) => Array.from(v.dataSync()));
    const db = embedImages(enc, data.images, { batchSize: 5 });
    const pairs = allPairs(data.labels);
    for (const form of ['abs', 'chi2', 'concat'] as const) {
      const head = createVerificationHead({ embeddingSize: 8, form, initialWeight: 0, initialBias: 0 });
      const feats = form === 'chi2' ? tf.tidy(() => tf.div(tf.add(db, 1), 2) as tf.Tensor2D) : db;
      const before = rocAuc(scorePairs(head, feats, pairs), pairs.same, { kind: 'similarity' });
      const res = await trainHead(head, feats, data.labels, { steps: 150, seed: 1, learningRate: 0.05 });
      expect(res.steps).toBe(150);
      const p = scorePairs(head, feats, pairs);
      const auc = rocAuc(p, pairs.same, { kind: 'similarity' });
      expect(before).toBe(0.5); // w = 0, b = 0: every pair scores ½
      // a linear head on [a, b] is w₁·a + w₂·b + c: it cannot express "a close to b", so it stays near chance
      if (form === 'concat') expect(Math.abs(auc - 0.5)).toBeLessThan(0.15);
      else {
        expect(auc).toBeGreaterThan(0.75);
        expect(res.losses.slice(-10).reduce((x, y) => x + y)).toBeLessThan(res.losses.slice(0, 10).reduce((x, y) => x + y));
      }
      const cal = calibrateHead(head, feats, data.labels);
      expect(cal.balancedAccuracy).toBeCloseTo(accuracyAtThreshold(p, pairs.same, cal.threshold, { kind: 'similarity' }).balancedAccuracy, 9);
      if (form !== 'concat') expect(cal.balancedAccuracy).toBeGreaterThan(0.7);
      head.dispose();
      if (feats !== db) feats.dispose();
    }
    // the encoder did not move
    expect(enc.trainableVariables().map((v) => Array.from(v.dataSync()))).toEqual(frozen);
    db.dispose();
    enc.dispose();
  });

  it('end-to-end: encoder and head learn together (AUC rises), no leaks', async () => {
    const enc = tinyEncoder(SHAPE, 8, { seed: 4 });
    const head = createVerificationHead({ embeddingSize: 8 });
    const pairs = allPairs(data.labels);
    const auc = () => {
      const db = embedImages(enc, data.images);
      const a = rocAuc(scorePairs(head, db, pairs), pairs.same, { kind: 'similarity' });
      db.dispose();
      return a;
    };
    const before = auc();
    const w0 = Array.from(enc.trainableVariables()[0]!.dataSync());
    const n0 = tf.memory().numTensors;
    const res = await trainSiameseEndToEnd(enc, head, data, { steps: 60, batchSize: 16, learningRate: 0.02, seed: 3 });
    expect(tf.memory().numTensors).toBe(n0);
    expect(res.losses.slice(-10).reduce((a, b) => a + b)).toBeLessThan(res.losses.slice(0, 10).reduce((a, b) => a + b));
    expect(Array.from(enc.trainableVariables()[0]!.dataSync())).not.toEqual(w0);
    expect(auc()).toBeGreaterThan(before + 0.03);
    head.dispose();
    enc.dispose();
  });

  it('NaN never reaches the weights, and bad input gives typed errors', async () => {
    const enc = tinyEncoder(SHAPE, 8, { seed: 4 });
    const head = createVerificationHead({ embeddingSize: 8 });
    const bad = tf.fill([32, ...SHAPE], NaN) as tf.Tensor4D;
    const w0 = head.trainableVariables().map((v) => Array.from(v.dataSync()));
    const err = await trainSiameseEndToEnd(enc, head, { images: bad, labels: data.labels }, { steps: 2 }).catch((e) => e);
    expect(DegenerateBatchError.isInstance(err) && err.reason).toBe('non-finite');
    expect(head.trainableVariables().map((v) => Array.from(v.dataSync()))).toEqual(w0);
    await expect(trainHead(head, tf.zeros([4, 5]) as tf.Tensor2D, [0, 0, 1, 1])).rejects.toThrow(ShapeError);
    await expect(trainHead(head, tf.zeros([4, 8]) as tf.Tensor2D, [0, 0, 1])).rejects.toThrow(ShapeError);
    await expect(trainHead(head, tf.zeros([4, 8]) as tf.Tensor2D, [0, 0, 1, 1], { steps: -1 })).rejects.toThrow(InvalidArgumentError);
    await expect(trainSiameseEndToEnd(enc, createVerificationHead({ embeddingSize: 3 }), data)).rejects.toThrow(/head for 8-d/);
    expect(() => embedImages(enc, tf.zeros([0, ...SHAPE]) as tf.Tensor4D)).toThrowError(EmptyBatchError);
    bad.dispose();
    head.dispose();
    enc.dispose();
  });
});

describe('SiameseVerifier', () => {
  it('embeds enrolled images once; verify = one encoder pass + the head, same numbers as direct scoring', async () => {
    const enc = tinyEncoder(SHAPE, 8, { seed: 4 });
    const head = createVerificationHead({ embeddingSize: 8 });
    await trainHead(head, tf.tidy(() => embedImages(enc, data.images)), data.labels, { steps: 100, seed: 2 });
    let calls = 0;
    const counting = { ...enc, encode: (x: tf.Tensor4D, o?: { training?: boolean }) => (calls++, enc.encode(x, o)) };
    const v = new SiameseVerifier(counting, head, { threshold: 0.5 });
    const first = (id: number) => data.labels.map((l, i) => (l === id ? i : -1)).filter((i) => i >= 0);
    for (const id of [0, 1, 2]) v.enrol(`p${id}`, tf.gather(data.images, first(id).slice(0, 2)) as tf.Tensor4D);
    expect(calls).toBe(3);
    const probe = tf.gather(data.images, [first(1)[3]!]) as tf.Tensor4D;
    const r = v.verify(probe, 'p1');
    expect(calls).toBe(4);
    const direct = tf.tidy(() => {
      const q = enc.encode(probe);
      const g = enc.encode(tf.gather(data.images, first(1).slice(0, 2)) as tf.Tensor4D);
      return tf.max(head.predict(tf.tile(q, [2, 1]) as tf.Tensor2D, g)).dataSync()[0]!;
    });
    expect(r.probability).toBeCloseTo(direct, 6);
    expect(r.same).toBe(r.probability >= 0.5);
    const best = ['p0', 'p1', 'p2'].map((id) => v.verify(probe, id).probability);
    const top = best.indexOf(Math.max(...best));
    const who = v.identify(probe);
    if (best[top]! >= 0.5) expect(who).toEqual({ id: `p${top}`, probability: best[top] });
    else expect(who).toBeNull();
    expect(() => v.verify(probe, 'nobody')).toThrowError(/not enrolled/);
    expect(() => v.verify(tf.zeros([2, ...SHAPE]) as tf.Tensor4D, 'p1')).toThrowError(ShapeError);
    await expectNoLeaks(() => v.verify(probe, 'p0'));
    await expectNoLeaks(() => v.identify(probe));
    const n = tf.memory().numTensors;
    v.dispose();
    expect(tf.memory().numTensors).toBe(n - 3);
    probe.dispose();
    head.dispose();
    enc.dispose();
  });
});
