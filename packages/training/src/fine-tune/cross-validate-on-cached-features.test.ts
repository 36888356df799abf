import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/wasm';
import { InvalidArgumentError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { FaceResNet } from '@likeness/embeddings';
import { loadFaceResNetFromFaceApi } from '@likeness/embeddings/node';
import { crossValidateOnCachedFeatures, type CachedFeaturesMethod } from './cross-validate-on-cached-features';
import { pseudoFaces } from '../testing/pseudo-faces';

let net: FaceResNet, ft: FaceResNet;
let faces: ReturnType<typeof pseudoFaces>;
let frozen: tf.Tensor4D; // the frozen features of the original images, computed independently of the cache

beforeAll(async () => {
  await useBackend('wasm'); // the ResNet's convolutions are ~10× faster than on cpu
  net = await loadFaceResNetFromFaceApi();
  ft = FaceResNet.fromPretrained(net, { trainableStages: 1 });
  faces = pseudoFaces(4, 2, 0); // 8 images of 4 people: 2 folds of 2 people
  frozen = ft.frozenFeatures(faces.images);
}, 120_000);

afterAll(() => {
  tf.dispose([faces?.images, frozen]);
  ft?.dispose();
  net?.dispose();
});

const N = 8;
const cacheOptions = { augmentations: 2, seed: 3 };
const cvOptions = { folds: 2, epochs: 1, seed: 3 };
/** Distance 0 for same-person pairs, 1 otherwise (i < j). */
const labelDistances = (labels: Int32Array) => {
  const d: number[] = [];
  for (let i = 0; i < labels.length; i++) for (let j = i + 1; j < labels.length; j++) d.push(labels[i] === labels[j] ? 0 : 1);
  return d;
};

/** A method that trains nothing and records what it is given; `fail` makes one step throw. */
function recordingMethod(fail?: 'begin' | 'score') {
  const seen = { begins: [] as { rows: number[]; seed: number; shape: number[] }[], scoreDiffs: [] as number[], scoreLabels: [] as number[][], features: [] as tf.Tensor4D[] };
  const method: CachedFeaturesMethod = {
    labels: faces.labels,
    variables: ft.trainableVariables(),
    begin(rows, seed, features) {
      if (fail === 'begin') throw new Error('begin failed');
      seen.begins.push({ rows: Array.from(rows), seed, shape: features.shape });
      seen.features.push(features);
      const valRows = Array.from({ length: N }, (_, i) => i).filter((i) => !rows.includes(i));
      return {
        trainEpoch: () => 0.5,
        scoreFeatures(f, labels) {
          if (fail === 'score') throw new Error('score failed');
          seen.scoreDiffs.push(tf.tidy(() => tf.max(tf.abs(tf.sub(f, tf.gather(frozen, valRows)))).dataSync()[0]!));
          seen.scoreLabels.push(Array.from(labels));
          expect(labels).toEqual(Int32Array.from(valRows, (r) => faces.labels[r]!));
          return { distances: labelDistances(labels), loss: 0 };
        },
        dispose: () => undefined,
      };
    },
  };
  return { method, seen };
}

describe('crossValidateOnCachedFeatures', () => {
  it('gives every run the whole cache, scores each fold on its copy-0 rows, frees the cache and leaks nothing', async () => {
    await crossValidateOnCachedFeatures(ft, faces.images, cacheOptions, cvOptions, recordingMethod().method); // warm-up (kernel set-up)
    const { method, seen } = recordingMethod();
    let r: Awaited<ReturnType<typeof crossValidateOnCachedFeatures>> | undefined;
    await expectNoLeaks(async () => { r = await crossValidateOnCachedFeatures(ft, faces.images, cacheOptions, cvOptions, method); });
    // 2 folds then the final fit on all rows (seed 3), each given the same cache of 2 copies × 8 images
    expect(seen.begins.map((b) => b.rows.length)).toEqual([4, 4, 8]);
    expect(seen.begins.map((b) => b.seed)).toEqual([1003, 2003, 3]);
    for (const b of seen.begins) expect(b.shape).toEqual([2 * N, ...frozen.shape.slice(1)]);
    expect(new Set(seen.features).size).toBe(1);
    expect(seen.features[0]!.isDisposed).toBe(true);
    // each fold scored after epochs 0 and 1, on exactly the original images' frozen features of its rows
    expect(seen.scoreDiffs).toEqual([0, 0, 0, 0]);
    expect(seen.scoreLabels.flat().sort()).toEqual([...faces.labels, ...faces.labels].sort());
    expect(r!.folds.length).toBe(2);
    expect(r!.pooledPairs).toEqual({ same: 4, different: 2 * 4 });
    expect(r!.chosenEpoch).toBe(0); // nothing trained: no epoch beats epoch 0
    expect(r!.cacheSeconds).toBeGreaterThan(0); // the frozen ResNet stages ran over 2·8 images (well over the clock's 1 ms)
    expect(r!.seconds).toBeGreaterThanOrEqual(r!.cacheSeconds);
  }, 300_000);

  it.each(['begin', 'score'] as const)('frees the cache when %s throws', async (fail) => {
    const before = tf.memory().numTensors;
    await expect(crossValidateOnCachedFeatures(ft, faces.images, cacheOptions, cvOptions, recordingMethod(fail).method)).rejects.toThrow(`${fail} failed`);
    expect(tf.memory().numTensors).toBe(before);
  }, 300_000);

  it('throws typed errors before caching', async () => {
    const before = tf.memory().numTensors;
    const bad = (...args: Parameters<typeof crossValidateOnCachedFeatures>) => expect(crossValidateOnCachedFeatures(...args)).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e));
    const { method } = recordingMethod();
    await bad(null as never, faces.images, cacheOptions, cvOptions, method);
    await bad(ft, faces.images, cacheOptions, cvOptions, { ...method, begin: undefined as never });
    await bad(ft, faces.images, cacheOptions, cvOptions, { ...method, labels: [0, 1] });
    await bad(ft, faces.images, cacheOptions, { folds: 1 }, method);
    await bad(ft, faces.images, { augmentations: 0 }, cvOptions, method);
    expect(tf.memory().numTensors).toBe(before);
  }, 300_000);
});
