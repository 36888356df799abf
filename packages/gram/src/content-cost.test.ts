import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, ShapeError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { contentCost } from './content-cost';
import { catchError } from './__fixtures__/catch-error';
import { numericGrad, refContent, relErr, seeded } from './__fixtures__/reference';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('contentCost', () => {
  it('matches hand-computed values in both forms', () => {
    // Σ(aC − aG)² = 1 + 4 + 9 + 16 = 30; n_H·n_W·n_C = 2·2·1 = 4.
    const aC = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const aG = tf.zeros([1, 2, 2, 1]);
    expect(contentCost(aC, aG).dataSync()[0]).toBeCloseTo(30 / 16, 6);
    expect(contentCost(aC, aG, { form: 'half-sum' }).dataSync()[0]).toBeCloseTo(15, 6);
    tf.dispose([aC, aG]);
  });

  it('matches the reference and finite differences on random activations', () => {
    const shape: [number, number, number] = [3, 2, 4];
    const n = 24;
    const vc = seeded(n, 11);
    const vg = seeded(n, 12);
    const c = tf.tensor3d(Float32Array.from(vc), shape);
    const g = tf.tensor3d(Float32Array.from(vg), shape);
    for (const form of ['normalized', 'half-sum'] as const) {
      const j = contentCost(c, g, { form });
      expect(j.dataSync()[0]).toBeCloseTo(refContent(vc, vg, n, form), 5);
      const fd = numericGrad((x) => refContent(vc, x, n, form), vg);
      const grad = tf.grad((x: tf.Tensor) => contentCost(c, x, { form }))(g);
      expect(relErr(grad.dataSync(), fd)).toBeLessThan(1e-4);
      tf.dispose([j, grad]);
    }
    tf.dispose([c, g]);
  });

  it('uses the per-image size and sums over a batch', () => {
    const c = tf.ones([2, 2, 2, 1]);
    const g = tf.zeros([2, 2, 2, 1]);
    // Σ = 8 over the batch, per-image n = 4 → 8/16.
    expect(contentCost(c, g).dataSync()[0]).toBeCloseTo(0.5, 6);
    tf.dispose([c, g]);
  });

  it('refuses mismatched shapes and unknown forms, naming the argument', () => {
    const a = tf.zeros([1, 2, 2, 3]);
    const b = tf.zeros([1, 2, 3, 3]);
    const e = catchError(() => contentCost(a, b));
    expect(ShapeError.isInstance(e)).toBe(true);
    expect((e as ShapeError).argument).toBe('generated');
    const e2 = catchError(() => contentCost(a, a, { form: 'mean' as 'normalized' }));
    expect(InvalidArgumentError.isInstance(e2)).toBe(true);
    expect((e2 as InvalidArgumentError).argument).toBe('options.form');
    tf.dispose([a, b]);
  });

  it('leaks no tensors', async () => {
    const a = tf.randomNormal([1, 3, 3, 2]);
    const b = tf.randomNormal([1, 3, 3, 2]);
    await expectNoLeaks(() => contentCost(a, b));
    await expectNoLeaks(() => tf.grad((x: tf.Tensor) => contentCost(a, x, { form: 'half-sum' }))(b));
    tf.dispose([a, b]);
  });
});
