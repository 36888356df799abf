import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, ShapeError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { styleCost, styleLayerCost, styleTarget, styleTargetCost } from './style-cost';
import { catchError } from './__fixtures__/catch-error';
import { numericGrad, refGram, refStyleLayer, relErr, seeded } from './__fixtures__/reference';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('styleLayerCost', () => {
  it('matches a hand-computed case', () => {
    // G(S) = [[10,14],[14,20]], G(G) = 0 → Σ = 100+196+196+400 = 892;
    // 1/(2·n_H·n_W·n_C)² = 1/(2·1·2·2)² = 1/64.
    const aS = tf.tensor3d([1, 2, 3, 4], [1, 2, 2]);
    const aG = tf.zeros([1, 2, 2]);
    expect(styleLayerCost(aS, aG).dataSync()[0]).toBeCloseTo(892 / 64, 5);
    tf.dispose([aS, aG]);
  });

  it('matches the issue formula and finite differences on random layers', () => {
    const [h, w, c] = [3, 2, 4];
    const vs = seeded(h * w * c, 21);
    const vg = seeded(h * w * c, 22);
    const s = tf.tensor4d(Float32Array.from(vs), [1, h, w, c]);
    const g = tf.tensor4d(Float32Array.from(vg), [1, h, w, c]);
    const j = styleLayerCost(s, g);
    expect(j.dataSync()[0]).toBeCloseTo(refStyleLayer(vs, vg, h, w, c), 6);
    const fd = numericGrad((x) => refStyleLayer(vs, x, h, w, c), vg);
    const grad = tf.grad((x: tf.Tensor) => styleLayerCost(s, x))(g);
    expect(relErr(grad.dataSync(), fd)).toBeLessThan(1e-4);
    tf.dispose([s, g, j, grad]);
  });

  it('normalises each Gram by its own positions when sizes differ', () => {
    const vs = seeded(4 * 4 * 3, 31);
    const vg = seeded(2 * 3 * 3, 32);
    const gs = refGram(vs, 4, 4, 3).map((v) => v / 16);
    const gg = refGram(vg, 2, 3, 3).map((v) => v / 6);
    const expected = gs.reduce((acc, v, i) => acc + (v - gg[i]!) ** 2, 0) / (4 * 9);
    const s = tf.tensor3d(Float32Array.from(vs), [4, 4, 3]);
    const g = tf.tensor3d(Float32Array.from(vg), [2, 3, 3]);
    expect(styleLayerCost(s, g).dataSync()[0]).toBeCloseTo(expected, 6);
    const t = styleTarget(s);
    expect(relErr(t.dataSync(), gs)).toBeLessThan(1e-6);
    expect(styleTargetCost(t, g).dataSync()[0]).toBeCloseTo(expected, 6);
    tf.dispose([s, g, t]);
  });

  it('refuses mismatched channels and a wrong target', () => {
    const s = tf.zeros([2, 2, 3]);
    const g = tf.zeros([2, 2, 4]);
    const e = catchError(() => styleLayerCost(s, g));
    expect(ShapeError.isInstance(e)).toBe(true);
    expect((e as Error).message).toMatch(/3 channels/);
    const t = tf.zeros([3, 3]) as tf.Tensor2D;
    expect((catchError(() => styleTargetCost(t, g)) as ShapeError).argument).toBe('target');
    const b = tf.zeros([2, 2, 2, 3]) as tf.Tensor4D;
    expect((catchError(() => styleTarget(b)) as ShapeError).argument).toBe('activations');
    tf.dispose([s, g, t, b]);
  });
});

describe('styleCost', () => {
  it('is the λ-weighted sum of the per-layer costs (default 1/L)', () => {
    const s1 = tf.tensor3d(Float32Array.from(seeded(18, 41)), [3, 2, 3]);
    const g1 = tf.tensor3d(Float32Array.from(seeded(18, 42)), [3, 2, 3]);
    const s2 = tf.tensor3d(Float32Array.from(seeded(16, 43)), [2, 2, 4]);
    const g2 = tf.tensor3d(Float32Array.from(seeded(16, 44)), [2, 2, 4]);
    const j1 = refStyleLayer(s1.dataSync(), g1.dataSync(), 3, 2, 3);
    const j2 = refStyleLayer(s2.dataSync(), g2.dataSync(), 2, 2, 4);
    const t2 = styleTarget(s2);
    const weighted = styleCost([
      { style: s1, generated: g1, weight: 0.3 },
      { target: t2, generated: g2, weight: 2 },
    ]);
    expect(weighted.dataSync()[0]).toBeCloseTo(0.3 * j1 + 2 * j2, 6);
    const equal = styleCost([
      { style: s1, generated: g1 },
      { style: s2, generated: g2 },
    ]);
    expect(equal.dataSync()[0]).toBeCloseTo((j1 + j2) / 2, 6);
    tf.dispose([s1, g1, s2, g2, t2, weighted, equal]);
  });

  it('refuses an empty list, a term with both or neither source, a negative weight', () => {
    const a = tf.zeros([2, 2, 2]);
    expect((catchError(() => styleCost([])) as InvalidArgumentError).argument).toBe('layers');
    expect((catchError(() => styleCost([{ generated: a }])) as InvalidArgumentError).argument).toBe('layers[0]');
    const e = catchError(() => styleCost([{ generated: a, style: a, weight: -1 }]));
    expect((e as InvalidArgumentError).argument).toBe('layers[0].weight');
    a.dispose();
  });

  it('leaks no tensors', async () => {
    const s = tf.randomNormal([1, 4, 4, 3]);
    const g = tf.randomNormal([1, 4, 4, 3]);
    const t = styleTarget(s as tf.Tensor4D);
    await expectNoLeaks(() => styleTarget(s as tf.Tensor4D));
    await expectNoLeaks(() => styleLayerCost(s, g));
    await expectNoLeaks(() => styleTargetCost(t, g, { chunkSize: 3 }));
    await expectNoLeaks(() => styleCost([{ style: s, generated: g }, { target: t, generated: g }]));
    await expectNoLeaks(() => tf.grad((x: tf.Tensor) => styleCost([{ target: t, generated: x }]))(g));
    tf.dispose([s, g, t]);
  });
});
