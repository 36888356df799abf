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

describe('wasm MaxPoolGrad', () => {
  it('routes the gradient of all-negative windows (hand-computed)', async () => {
    // 2×2/2 windows of [[-20,-19,..]]: the maxima are the last element of each window.
    const x = Array.from({ length: 16 }, (_, i) => i - 20);
    const [g] = await runOn('wasm', () =>
      tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid')))(tf.tensor4d(x, [1, 4, 4, 1])),
    );
    expect(Array.from(g!)).toEqual([0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1]);
    // 2×2/1 'same' over a 3×3 with one positive centre.
    const [g2] = await runOn('wasm', () =>
      tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 2, 1, 'same')))(
        tf.tensor4d([-1, -2, -3, -4, 5, -6, -7, -8, -9], [1, 3, 3, 1]),
      ),
    );
    expect(Array.from(g2!)).toEqual([0, 0, 1, 0, 4, 1, 1, 1, 1]);
  });

  const cases: { x: [number, number, number, number]; f: number | [number, number]; s: number | [number, number]; pad: 'same' | 'valid' }[] = [
    { x: [2, 8, 8, 3], f: 2, s: 2, pad: 'valid' },
    { x: [1, 7, 9, 2], f: 2, s: 2, pad: 'same' },
    { x: [1, 9, 9, 2], f: 3, s: 2, pad: 'same' },
    { x: [2, 6, 7, 3], f: 3, s: 1, pad: 'valid' },
    { x: [1, 7, 7, 1], f: [2, 3], s: [3, 2], pad: 'same' },
  ];
  for (const [i, c] of cases.entries()) {
    it(`matches cpu: x ${c.x} window ${c.f} stride ${c.s} ${c.pad} (shifted negative, with ties)`, async () => {
      // Quantised values give ties; subtracting 3 makes most windows all-negative.
      const xv = seededValues(c.x.reduce((a, b) => a * b), 31 + i).map((v) => Math.round(v * 4) / 4 - 3);
      const r = await cpuVsWasm(() =>
        tf.grad((t: tf.Tensor) => {
          const y = tf.maxPool(t as tf.Tensor4D, c.f, c.s, c.pad);
          return tf.sum(tf.mul(y, tf.sin(tf.reshape(tf.range(1, y.size + 1), y.shape))));
        })(tf.tensor4d(xv, c.x)),
      );
      expect(r.diff).toBeLessThan(1e-6);
    });
  }

  it('leaks nothing', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d(seededValues(2 * 9 * 9 * 3, 9), [2, 9, 9, 3]);
    await expectNoLeaks(() => tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 3, 2, 'same')))(x));
    await expectNoLeaks(() => tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid')))(x));
    tf.dispose(x);
  });
});
