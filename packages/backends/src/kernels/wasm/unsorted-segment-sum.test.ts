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

describe('wasm UnsortedSegmentSum', () => {
  it('sums rows by hand-computed segments, dropping out-of-range ids', async () => {
    const [out] = await runOn('wasm', () =>
      tf.unsortedSegmentSum(tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [5, 2]), tf.tensor1d([2, 0, 2, -1, 7], 'int32'), 3),
    );
    expect(Array.from(out!)).toEqual([3, 4, 0, 0, 6, 8]);
  });

  it('gives gather its gradient, matching cpu (repeated indices, 2-D indices, axis 1)', async () => {
    const pv = seededValues(6 * 4 * 3, 3);
    const r = await cpuVsWasm(() => {
      const p = tf.tensor3d(pv, [6, 4, 3]);
      const g0 = tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.gather(t, tf.tensor1d([0, 5, 5, 2, 0], 'int32')))))(p);
      const g1 = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, tf.tensor2d([1, 3, 3, 0], [2, 2], 'int32'), 1), 2.5)))(p);
      return [g0, g1];
    });
    expect(r.diff).toBeLessThan(1e-6);
  });

  it('leaks nothing', async () => {
    await tf.setBackend('wasm');
    const p = tf.tensor2d(seededValues(12, 4), [6, 2]);
    const ids = tf.tensor1d([1, 1, 4], 'int32');
    await expectNoLeaks(() => tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, ids)))(p));
    tf.dispose([p, ids]);
  });
});
