import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, ShapeError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { accuracyAtThreshold, rocAuc } from '@likeness/embeddings';
import { syntheticFaces, tinyEncoder } from '@likeness/embeddings/testing';
import { DegenerateBatchError } from '@likeness/triplet';
import { allPairs, calibrateHead, createVerificationHead, embedImages, EmptyBatchError, scorePairs } from '@likeness/siamese-binary';
import { trainHead, trainSiameseEndToEnd } from './train-siamese';

const SHAPE: [number, number, number] = [4, 4, 1];
let data: ReturnType<typeof syntheticFaces>;
beforeAll(async () => {
  await useBackend('cpu');
  data = syntheticFaces(8, 4, SHAPE, 0.3, 11);
});
afterAll(() => data.images.dispose());

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

