import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { ShapeError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { selectHardTriplets } from './select-hard-triplets';
import { batchHardFromDistances, semiHardFromDistances } from './mining/mine-from-distances';
import { syntheticFaces, tinyEncoder } from '@likeness/embeddings/testing';

let data: ReturnType<typeof syntheticFaces>;
let enc: ReturnType<typeof tinyEncoder>;
beforeAll(async () => {
  await useBackend('cpu');
  data = syntheticFaces(5, 4, [4, 3, 1], 0.8);
  enc = tinyEncoder([4, 3, 1], 6, { normalized: false });
});
afterAll(() => {
  data.images.dispose();
  enc.dispose();
});

describe('selectHardTriplets (offline, whole dataset)', () => {
  it('embeds in chunks and mines over all N images like brute force on the full distance matrix', () => {
    const E = enc.encode(data.images).arraySync() as number[][];
    const D = E.map((u) => E.map((v) => u.reduce((a, x, k) => a + (x - v[k]!) ** 2, 0)));
    const t = selectHardTriplets(enc, data.images, data.labels, { batchSize: 7 });
    const ref = batchHardFromDistances(D, data.labels);
    expect(Array.from(t.anchors)).toEqual(Array.from(ref.anchors));
    // distances from the float32 backend may break near-ties differently: compare the chosen distances
    t.anchors.forEach((a, i) => {
      expect(D[a]![t.positives[i]!]!).toBeCloseTo(D[a]![ref.positives[i]!]!, 4);
      expect(D[a]![t.negatives[i]!]!).toBeCloseTo(D[a]![ref.negatives[i]!]!, 4);
    });
    const s = selectHardTriplets(enc, data.images, data.labels, { strategy: 'semi-hard', margin: 1 });
    const sref = semiHardFromDistances(D, data.labels, { margin: 1 });
    expect(s.anchors.length).toBe(sref.anchors.length);
    const all = selectHardTriplets(enc, data.images, data.labels, { strategy: 'batch-all', margin: 1 });
    for (let i = 0; i < all.anchors.length; i++) {
      expect(D[all.anchors[i]!]![all.positives[i]!]! - D[all.anchors[i]!]![all.negatives[i]!]! + 1).toBeGreaterThan(-1e-4);
    }
  });

  it('refuses bad input and leaks nothing', async () => {
    expect(() => selectHardTriplets(enc, tf.zeros([2, 3]) as never, [0, 1])).toThrowError(ShapeError);
    expect(() => selectHardTriplets(enc, data.images, [0, 1])).toThrowError(ShapeError);
    await expectNoLeaks(() => selectHardTriplets(enc, data.images, data.labels));
  });
});
