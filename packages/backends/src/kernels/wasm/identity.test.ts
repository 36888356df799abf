import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../wasm';
import { useBackend } from '../../use-backend';
import { expectNoLeaks } from '../../testing/expect-no-leaks';

beforeAll(async () => {
  await useBackend('wasm');
});

describe('wasm Identity (shared, reference-counted)', () => {
  it('clones share data, and each survives the other being disposed', () => {
    const before = tf.memory().numDataBuffers;
    const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const y = tf.clone(x);
    expect(tf.memory().numDataBuffers - before).toBe(1); // one buffer for both
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
    const z = tf.clone(y);
    y.dispose();
    expect(Array.from(z.dataSync())).toEqual([1, 2, 3, 4]);
    z.dispose();
    expect(tf.memory().numDataBuffers).toBe(before);
  });

  it('keeps gradients right where tfjs clones saved tensors', () => {
    const x = tf.tensor1d([1, -2, 3]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu(t), t)))(x);
    expect(Array.from(g.dataSync())).toEqual([2, 0, 6]);
    tf.dispose([x, g]);
  });

  it('leaks nothing', async () => {
    const x = tf.tensor1d([1, 2, 3]);
    await expectNoLeaks(() => tf.clone(x));
    x.dispose();
  });
});
