import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, ShapeError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { totalVariation } from './total-variation';
import { catchError } from './__fixtures__/catch-error';
import { numericGrad, refTV, relErr, seeded } from './__fixtures__/reference';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('totalVariation', () => {
  it('matches a hand-computed case', () => {
    // [[1,2],[4,8]]: vertical 3, 6; horizontal 1, 4.
    const x = tf.tensor3d([1, 2, 4, 8], [2, 2, 1]);
    expect(totalVariation(x).dataSync()[0]).toBeCloseTo(9 + 36 + 1 + 16, 6);
    expect(totalVariation(x, { power: 1 }).dataSync()[0]).toBeCloseTo(14, 6);
    expect(totalVariation(x, { mean: true }).dataSync()[0]).toBeCloseTo(62 / 4, 6);
    x.dispose();
  });

  it('matches the reference and finite differences', () => {
    const [h, w, c] = [4, 3, 2];
    const v = seeded(h * w * c, 51);
    const x = tf.tensor4d(Float32Array.from(v), [1, h, w, c]);
    for (const power of [1, 2] as const) {
      expect(totalVariation(x, { power }).dataSync()[0]).toBeCloseTo(refTV(v, h, w, c, power), 5);
      const fd = numericGrad((y) => refTV(y, h, w, c, power), v);
      const grad = tf.grad((y: tf.Tensor) => totalVariation(y, { power }))(x);
      expect(relErr(grad.dataSync(), fd)).toBeLessThan(1e-4);
      grad.dispose();
    }
    x.dispose();
  });

  it('is zero for a 1×1 image and refuses bad input', () => {
    const one = tf.ones([1, 1, 1, 3]);
    expect(totalVariation(one).dataSync()[0]).toBe(0);
    const bad = tf.ones([3, 3]);
    expect(ShapeError.isInstance(catchError(() => totalVariation(bad)))).toBe(true);
    const e = catchError(() => totalVariation(one, { power: 3 as 2 }));
    expect((e as InvalidArgumentError).argument).toBe('options.power');
    tf.dispose([one, bad]);
  });

  it('leaks no tensors', async () => {
    const x = tf.randomNormal([1, 5, 4, 3]);
    await expectNoLeaks(() => totalVariation(x));
    await expectNoLeaks(() => tf.grad((y: tf.Tensor) => totalVariation(y, { power: 1 }))(x));
    x.dispose();
  });
});
