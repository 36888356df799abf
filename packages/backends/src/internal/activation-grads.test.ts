import * as tf from '@tensorflow/tfjs-core';
import { relu6GradConfig as tfjsRelu6 } from '@tensorflow/tfjs-core/dist/gradients/Relu6_grad';
import { reluGradConfig as tfjsRelu } from '@tensorflow/tfjs-core/dist/gradients/Relu_grad';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../cpu';
import '../wasm';
import { Relu6Grad, ReluGrad } from '../fused-gradient-kernels';
import { useBackend } from '../use-backend';
import { expectNoLeaks } from '../testing/expect-no-leaks';
import { relu6GradConfig, reluGradConfig } from './activation-grads';

// Boundaries, signed zeros, infinities and NaN in x; an infinite and a NaN dy where the mask is 0 and 1.
const X = [-2, -0, 0, 1e-30, 0.5, 3, 6, 6.000001, 7, Infinity, -Infinity, NaN, -1, 2, -3, 8];
const DY = [1.5, -2, 3, 4, -5, 6, 7, -8, 9, 10, 11, 12, Infinity, NaN, NaN, Infinity];

/** tfjs-core 4.22's own gradient (the composition), element by element as numbers. */
function composition(config: typeof tfjsRelu, dy: tf.Tensor, x: tf.Tensor): number[] {
  return Array.from(tf.tidy(() => (config.gradFunc(dy, [x], {}) as Record<string, () => tf.Tensor>).x!()).dataSync());
}

const same = (a: number[], b: number[]) => a.forEach((v, i) => (Number.isNaN(b[i]!) ? expect(v, `at ${i}`).toBeNaN() : expect(v, `at ${i}`).toBe(b[i])));

beforeAll(async () => {
  await useBackend('cpu', { allowSwitchWithTensors: true });
});
afterAll(async () => {
  await useBackend('cpu', { allowSwitchWithTensors: true });
});

describe('fused activation gradients (ReluGrad, Relu6Grad)', () => {
  it('are the gradients tf.grad uses, and the cpu backend registers both kernels', () => {
    expect(tf.getGradient('Relu')).toBe(reluGradConfig);
    expect(tf.getGradient('Relu6')).toBe(relu6GradConfig);
    expect(tf.getKernel(ReluGrad, 'cpu')).toBeDefined();
    expect(tf.getKernel(Relu6Grad, 'cpu')).toBeDefined();
  });

  for (const backend of ['cpu', 'wasm'] as const) {
    it(`give tfjs-core's composition exactly, NaN and infinities included (${backend}: ${backend === 'cpu' ? 'the kernel' : 'no kernel, the composition'})`, async () => {
      await useBackend(backend, { allowSwitchWithTensors: true });
      const x = tf.tensor1d(X);
      const dy = tf.tensor1d(DY);
      for (const [ours, theirs, op] of [
        [reluGradConfig, tfjsRelu, tf.relu],
        [relu6GradConfig, tfjsRelu6, tf.relu6],
      ] as const) {
        const expected = composition(theirs, dy, x);
        same(composition(ours, dy, x), expected);
        // and through tf.grad: the registered gradient of the op
        same(Array.from(tf.tidy(() => tf.grad((t: tf.Tensor) => tf.mul(op(t), dy))(x)).dataSync()), expected);
      }
      tf.dispose([x, dy]);
    });
  }

  for (const backend of ['cpu', 'wasm'] as const) {
    it(`have second derivatives: the gradient of a gradient is the same mask (${backend})`, async () => {
      await useBackend(backend, { allowSwitchWithTensors: true });
      const a = tf.tensor1d([-1, 0.5, 3, 7]); // where the inner gradient is taken
      const x = tf.tensor1d([0.3, -2, 4, 1.5]); // the inner upstream gradient dy, as a function of x
      const w = tf.tensor1d([2, 3, 5, 7]);
      for (const [op, mask] of [
        [tf.relu, [0, 1, 1, 1]],
        [tf.relu6, [0, 1, 1, 0]],
      ] as const) {
        // inner(x) = ∂/∂u Σ op(u)·x at u = a = x·op'(a), a ReluGrad/Relu6Grad with dy = x; ∂/∂x Σ w·inner = w·op'(a).
        const outer = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(w, tf.grad((u: tf.Tensor) => tf.sum(tf.mul(op(u), t)))(a))))(x);
        expect(Array.from(outer.dataSync())).toEqual(mask.map((m, i) => m * [2, 3, 5, 7][i]!));
        outer.dispose();
      }
      tf.dispose([a, x, w]);
    });
  }

  it('leak nothing (kernel and composition)', async () => {
    for (const backend of ['cpu', 'wasm'] as const) {
      await useBackend(backend, { allowSwitchWithTensors: true });
      const x = tf.tensor1d(X); // made on this backend, so that no data moves between backends during the check
      await expectNoLeaks(() => tf.grad((t: tf.Tensor) => tf.sum(tf.relu6(t)))(x));
      await expectNoLeaks(() => tf.grad((t: tf.Tensor) => tf.sum(tf.relu(t)))(x));
      x.dispose();
    }
  });
});
