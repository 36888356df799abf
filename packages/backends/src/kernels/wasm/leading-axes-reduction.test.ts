import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../cpu';
import '../../wasm';
import { useBackend } from '../../use-backend';
import { expectNoLeaks } from '../../testing/expect-no-leaks';
import { cpuVsWasm, runOn, seededValues } from './internal/compare-backends';

beforeAll(async () => {
  await useBackend('wasm');
});

describe('wasm Sum/Mean over leading axes', () => {
  it('sums the columns of a hand-computed [2,2,3] over axes 0,1', async () => {
    const x = [1, 2, 3, 10, 20, 30, 100, 200, 300, 1000, 2000, 3000];
    const [s, m] = await runOn('wasm', () => {
      const t = tf.tensor3d(x, [2, 2, 3]);
      return [tf.sum(t, [0, 1]), tf.mean(t, [1, 0])];
    });
    expect(Array.from(s!)).toEqual([1111, 2222, 3333]);
    expect(Array.from(m!)).toEqual([277.75, 555.5, 833.25]);
  });

  const cases: { shape: number[]; axis: number | number[]; keepDims: boolean }[] = [
    { shape: [5, 7, 6, 4], axis: [0, 1, 2], keepDims: false },
    { shape: [5, 7, 6, 4], axis: [2, 0, 1], keepDims: true },
    { shape: [5, 7, 6, 4], axis: 0, keepDims: false },
    { shape: [5, 7, 6, 4], axis: [-4, -3], keepDims: true },
    // not leading: the built-in kernel
    { shape: [5, 7, 6, 4], axis: [1, 2], keepDims: false },
    { shape: [5, 7, 6, 4], axis: -1, keepDims: true },
    { shape: [5, 7, 6, 4], axis: [0, 1, 2, 3], keepDims: false },
  ];
  for (const c of cases) {
    it(`matches cpu: shape ${c.shape} axis ${c.axis} keepDims ${c.keepDims}`, async () => {
      const v = seededValues(c.shape.reduce((a, b) => a * b), 5);
      const r = await cpuVsWasm(() => {
        const t = tf.tensor(v, c.shape);
        return [tf.sum(t, c.axis, c.keepDims), tf.mean(t, c.axis, c.keepDims)];
      });
      expect(r.diff).toBeLessThan(1e-5);
      await tf.setBackend('wasm');
      const shapes = tf.tidy(() => {
        const t = tf.tensor(v, c.shape);
        return [tf.sum(t, c.axis, c.keepDims).shape, tf.mean(t, c.axis, c.keepDims).shape];
      });
      await tf.setBackend('cpu');
      const cpuShapes = tf.tidy(() => {
        const t = tf.tensor(v, c.shape);
        return [tf.sum(t, c.axis, c.keepDims).shape, tf.mean(t, c.axis, c.keepDims).shape];
      });
      expect(shapes).toEqual(cpuShapes);
      await tf.setBackend('wasm');
    });
  }

  it('leaves int32 sums to the built-in kernel', async () => {
    const [s] = await runOn('wasm', () => tf.sum(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), 0));
    expect(Array.from(s!)).toEqual([4, 6]);
  });

  it('leaks nothing', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d(seededValues(2 * 3 * 4 * 5, 3), [2, 3, 4, 5]);
    await expectNoLeaks(() => tf.sum(x, [0, 1, 2]));
    await expectNoLeaks(() => tf.mean(x, [0, 1], true));
    tf.dispose(x);
  });
});
