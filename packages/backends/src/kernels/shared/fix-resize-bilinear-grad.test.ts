import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../cpu';
import '../../wasm';
import { useBackend } from '../../use-backend';
import { runOn, seededValues } from '../wasm/internal/compare-backends';

describe('fixResizeBilinearGrad', () => {
  for (const backend of ['cpu', 'wasm']) {
    it(`${backend}: the gradient of a non-square resize has the input's shape and matches finite differences`, async () => {
      await useBackend(backend, { allowSwitchWithTensors: true });
      const xv = seededValues(1 * 3 * 4 * 2, 3);
      const f = (x: tf.Tensor) => {
        const y = tf.image.resizeBilinear(x as tf.Tensor4D, [5, 7]);
        return tf.sum(tf.mul(y, tf.sin(tf.reshape(tf.range(1, y.size + 1), y.shape))));
      };
      const shape: string[] = [];
      const [g] = await runOn(backend, () => {
        const out = tf.grad(f)(tf.tensor4d(xv, [1, 3, 4, 2]));
        shape.push(String(out.shape));
        return out;
      });
      expect(shape[0]).toBe('1,3,4,2');
      // f is linear in x: the gradient is exact under central differences.
      const eps = 0.5;
      for (const idx of [0, 5, 13, 23]) {
        const plus = Float32Array.from(xv);
        const minus = Float32Array.from(xv);
        plus[idx]! += eps;
        minus[idx]! -= eps;
        const lp = tf.tidy(() => f(tf.tensor4d(plus, [1, 3, 4, 2])).dataSync()[0]!);
        const lm = tf.tidy(() => f(tf.tensor4d(minus, [1, 3, 4, 2])).dataSync()[0]!);
        expect(g![idx]!).toBeCloseTo((lp - lm) / (2 * eps), 4);
      }
    });
  }
});
