import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { ShapeError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { syntheticFaces, tinyEncoder } from '@likeness/embeddings/testing';
import { createVerificationHead } from './verification-head';
import { SiameseVerifier } from './siamese-verifier';

const SHAPE: [number, number, number] = [4, 4, 1];
let data: ReturnType<typeof syntheticFaces>;
beforeAll(async () => {
  await useBackend('cpu');
  data = syntheticFaces(8, 4, SHAPE, 0.3, 11);
});
afterAll(() => data.images.dispose());

describe('SiameseVerifier', () => {
  it('embeds enrolled images once; verify = one encoder pass + the head, same numbers as direct scoring', async () => {
    const enc = tinyEncoder(SHAPE, 8, { seed: 4 });
    const head = createVerificationHead({ embeddingSize: 8 });
    // "closer = more alike" on |e₁ − e₂|, as trainHead (in @likeness/training) would leave it
    head.weights.assign(tf.fill([8], -1) as tf.Tensor1D);
    head.bias.assign(tf.tensor1d([2]));
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
