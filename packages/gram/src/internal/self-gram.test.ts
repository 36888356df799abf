import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { useBackend } from '@likeness/backends';
import { expectNoLeaks, seededValues } from '@likeness/backends/testing';
import { selfGram } from './self-gram';

beforeAll(async () => {
  await useBackend('cpu');
  // tfjs then checks that the custom op leaves nothing behind but its output.
  tf.env().set('IS_TEST', true);
});

describe('selfGram', () => {
  it('equals tf.matMul(F, F, true) and its autodiff gradient, for a batch and a non-symmetric upstream gradient', () => {
    const f = tf.tensor3d(seededValues(2 * 7 * 3, 1), [2, 7, 3]);
    const w = tf.tensor3d(seededValues(2 * 3 * 3, 2), [2, 3, 3]); // not symmetric: dG ≠ dGᵀ
    expect(Array.from(selfGram(f).dataSync())).toEqual(Array.from(tf.matMul(f, f, true, false).dataSync()));
    const ours = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(selfGram(x as tf.Tensor3D), w)))(f).dataSync();
    const autodiff = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x as tf.Tensor3D, x as tf.Tensor3D, true, false), w)))(f).dataSync();
    autodiff.forEach((v, i) => expect(ours[i]!).toBeCloseTo(v, 5));
    // By hand for one entry: ∂/∂F[0,0,0] of Σ_kl w_kl Σ_i F_ik F_il = Σ_l (w_0l + w_l0) F_0l (batch 0, row 0).
    const F = f.arraySync(), W = w.arraySync();
    const hand = [0, 1, 2].reduce((s, l) => s + (W[0]![0]![l]! + W[0]![l]![0]!) * F[0]![0]![l]!, 0);
    expect(ours[0]!).toBeCloseTo(hand, 5);
    tf.dispose([f, w]);
  });

  it('leaks nothing, with a gradient', async () => {
    const f = tf.tensor3d(seededValues(1 * 5 * 4, 3), [1, 5, 4]);
    await expectNoLeaks(() => tf.grad((x: tf.Tensor) => tf.sum(selfGram(x as tf.Tensor3D)))(f));
    f.dispose();
  });
});
