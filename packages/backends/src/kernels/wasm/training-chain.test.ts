import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../cpu';
import '../../wasm';
import { useBackend } from '../../use-backend';
import { cpuVsWasm, seededValues } from './internal/compare-backends';

beforeAll(async () => {
  await useBackend('wasm');
});

describe('wasm training through conv2d → relu → maxPool → depthwise → gather', () => {
  it('gives the same gradients as cpu for every parameter', async () => {
    const xv = seededValues(2 * 12 * 12 * 3, 1);
    const w1v = seededValues(3 * 3 * 3 * 8, 2);
    const w2v = seededValues(3 * 3 * 8 * 2, 3);
    const r = await cpuVsWasm(() => {
      const x = tf.tensor4d(xv, [2, 12, 12, 3]);
      const w1 = tf.tensor4d(w1v, [3, 3, 3, 8]);
      const w2 = tf.tensor4d(w2v, [3, 3, 8, 2]);
      const f = (xx: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => {
        const h1 = tf.relu(tf.conv2d(xx as tf.Tensor4D, a as tf.Tensor4D, 1, 'same'));
        const p = tf.maxPool(h1, 2, 2, 'valid');
        const h2 = tf.depthwiseConv2d(p, b as tf.Tensor4D, 2, 'same'); // [2,3,3,16]
        const flat = tf.reshape(h2, [2 * 3 * 3, 16]);
        const picked = tf.gather(flat, tf.tensor1d([0, 4, 4, 17, 9], 'int32'));
        return tf.sum(tf.square(picked));
      };
      return tf.grads(f)([x, w1, w2]);
    });
    expect(r.wasm).toHaveLength(3);
    expect(r.diff).toBeLessThan(1e-4);
  });
});
