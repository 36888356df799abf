import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../cpu';
import '../wasm';
import { seededValues } from '../testing/seeded-values';
import { useBackend } from '../use-backend';
import { expectNoLeaks } from '../testing/expect-no-leaks';

// L = Σ conv(x, w) ⊙ r is linear in x and in w, so central differences are exact
// (up to float32 rounding) at any step: an independent check of both gradients.
function finiteDifference(loss: (x: Float32Array, w: Float32Array) => number, xv: Float32Array, wv: Float32Array, which: 'x' | 'w', idx: number): number {
  const eps = 0.5;
  const p = Float32Array.from(which === 'x' ? xv : wv);
  const m = Float32Array.from(p);
  p[idx]! += eps;
  m[idx]! -= eps;
  const lp = which === 'x' ? loss(p, wv) : loss(xv, p);
  const lm = which === 'x' ? loss(m, wv) : loss(xv, m);
  return (lp - lm) / (2 * eps);
}

const cases = [
  { op: 'conv2d', x: [1, 9, 8, 2], w: [3, 3, 2, 3], d: 2, pad: 'same' },
  { op: 'conv2d', x: [2, 10, 9, 2], w: [2, 3, 2, 2], d: [3, 2], pad: 'valid' },
  { op: 'depthwiseConv2d', x: [1, 9, 9, 3], w: [3, 3, 3, 2], d: 2, pad: 'same' },
  { op: 'depthwiseConv2d', x: [1, 11, 10, 2], w: [3, 2, 2, 1], d: [2, 3], pad: 'valid' },
] as const;

describe('conv gradients with dilation > 1', () => {
  for (const backend of ['cpu', 'wasm']) {
    for (const c of cases) {
      it(`${backend}: ${c.op} dilation ${c.d} ${c.pad} matches finite differences for x and w`, async () => {
        await useBackend(backend, { allowSwitchWithTensors: true });
        const xv = seededValues((c.x as readonly number[]).reduce((a, b) => a * b, 1), 3);
        const wv = seededValues((c.w as readonly number[]).reduce((a, b) => a * b, 1), 4);
        const conv = (x: tf.Tensor, w: tf.Tensor) =>
          c.op === 'conv2d'
            ? tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, c.pad, 'NHWC', c.d as number)
            : tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, c.pad, 'NHWC', c.d as number);
        const f = (x: tf.Tensor, w: tf.Tensor) => {
          const y = conv(x, w);
          return tf.sum(tf.mul(y, tf.tensor(seededValues(y.size, 5), y.shape)));
        };
        const loss = (x: Float32Array, w: Float32Array) =>
          tf.tidy(() => f(tf.tensor(x, [...c.x]), tf.tensor(w, [...c.w])).dataSync()[0]!);
        const [gx, gw] = tf.tidy(() =>
          tf.grads(f)([tf.tensor(xv, [...c.x]), tf.tensor(wv, [...c.w])]).map((g) => g.dataSync()),
        ) as unknown as [Float32Array, Float32Array];
        for (const idx of [0, 7, 19, xv.length - 1]) expect(gx[idx]!).toBeCloseTo(finiteDifference(loss, xv, wv, 'x', idx), 3);
        for (const idx of [0, 5, wv.length - 1]) expect(gw[idx]!).toBeCloseTo(finiteDifference(loss, xv, wv, 'w', idx), 3);
      });
    }
    it(`${backend}: leaks nothing`, async () => {
      await useBackend(backend, { allowSwitchWithTensors: true });
      const x = tf.tensor4d(seededValues(1 * 9 * 9 * 2, 1), [1, 9, 9, 2]);
      const w = tf.tensor4d(seededValues(3 * 3 * 2 * 2, 2), [3, 3, 2, 2]);
      await expectNoLeaks(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same', 'NHWC', 2)))([x, w]));
      await expectNoLeaks(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same', 'NHWC', 2)))([x, w]));
      tf.dispose([x, w]);
    });
  }
});
