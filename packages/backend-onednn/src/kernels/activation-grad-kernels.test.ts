import '@likeness/backends/cpu';
import { Relu6Grad, ReluGrad, useBackend } from '@likeness/backends';
import { expectNoLeaks, seededValues } from '@likeness/backends/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeOnOneDnn, onNativeLoop } from '../../test/availability';
import '../index';
import { ELEMENTWISE_MIN_SIZE } from './elementwise-kernels';

/** Boundaries, signed zeros, infinities and NaN in x; infinite and NaN dy. Then seeded values across both boundaries. */
function inputs(n: number): { x: Float32Array; dy: Float32Array } {
  const x = Float32Array.from(seededValues(n, 71, -3, 9));
  const dy = Float32Array.from(seededValues(n, 72, -2, 2));
  [-2, -0, 0, 1e-30, 6, 6.000001, Infinity, -Infinity, NaN, -1, 3, 7].forEach((v, i) => (x[i] = v));
  [1, 2, 3, 4, 5, 6, 7, 8, 9, Infinity, NaN, NaN].forEach((v, i) => (dy[i] = v));
  return { x, dy };
}

/** The cpu backend's kernel (a JS loop in @likeness/backends), on the same values. */
async function onCpu(kernel: string, x: Float32Array, dy: Float32Array): Promise<Float32Array> {
  await useBackend('cpu', { allowSwitchWithTensors: true });
  const [xt, dyt] = [tf.tensor1d(x), tf.tensor1d(dy)];
  const out = tf.engine().runKernel(kernel, { dy: dyt, x: xt }) as tf.Tensor;
  const values = out.dataSync() as Float32Array;
  tf.dispose([xt, dyt, out]);
  await useBackend('onednn', { allowSwitchWithTensors: true });
  return values;
}

describeOnOneDnn('oneDNN ReluGrad / Relu6Grad (one-pass activation gradients)', () => {
  for (const kernel of [ReluGrad, Relu6Grad]) {
    for (const n of [ELEMENTWISE_MIN_SIZE * 3, 100]) {
      it(`${kernel}, ${n} values (${n >= ELEMENTWISE_MIN_SIZE ? 'the addon loop' : 'the cpu kernel'}): the cpu kernel's values, NaN and infinities included`, async () => {
        await useBackend('onednn', { allowSwitchWithTensors: true });
        const { x, dy } = inputs(n);
        const expected = await onCpu(kernel, x, dy);
        const [xt, dyt] = [tf.tensor1d(x), tf.tensor1d(dy)];
        const run = () => tf.engine().runKernel(kernel, { dy: dyt, x: xt }) as tf.Tensor;
        const out = n >= ELEMENTWISE_MIN_SIZE ? onNativeLoop(run) : run();
        const got = out.dataSync();
        expected.forEach((v, i) => (Number.isNaN(v) ? expect(got[i], `at ${i}`).toBeNaN() : expect(got[i], `at ${i}`).toBe(v)));
        tf.dispose([xt, dyt, out]);
      });
    }
  }

  it('is what tf.relu6 and tf.relu back-propagate through on this backend, and leaks nothing', async () => {
    await useBackend('onednn', { allowSwitchWithTensors: true });
    const x = tf.tensor2d(seededValues(ELEMENTWISE_MIN_SIZE * 2, 73, -3, 9), [2, ELEMENTWISE_MIN_SIZE]);
    const g = onNativeLoop(() => tf.grad((t: tf.Tensor) => tf.sum(tf.relu6(t)))(x));
    const xs = x.dataSync();
    g.dataSync().forEach((v, i) => expect(v).toBe(xs[i]! > 0 && xs[i]! <= 6 ? 1 : 0));
    g.dispose();
    await expectNoLeaks(() => tf.grad((t: tf.Tensor) => tf.sum(tf.relu6(t)))(x));
    await expectNoLeaks(() => tf.grad((t: tf.Tensor) => tf.sum(tf.relu(t)))(x));
    x.dispose();
  });
});
