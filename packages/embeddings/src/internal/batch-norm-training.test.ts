import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import '@likeness/backends/wasm';
import { useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { batchNormTraining } from './batch-norm-training';

beforeAll(async () => {
  await useBackend('cpu');
  // tfjs then checks that the custom op leaves no tensor behind but its output.
  tf.env().set('IS_TEST', true);
});

function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

/** The same layer written with tf.moments + tf.batchNorm, differentiated by tfjs's autodiff. */
function autodiffLayer(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm(x, mean as tf.Tensor1D, variance as tf.Tensor1D, beta, gamma, eps);
}

function inputs(seed: number, shape: [number, number, number, number], offset: number) {
  const r = lcg(seed);
  const c = shape[3];
  const x = tf.tensor4d(Array.from({ length: shape.reduce((a, b) => a * b) }, () => (r() - 0.5) * 3 + offset), shape);
  const gamma = tf.tensor1d(Array.from({ length: c }, () => 0.5 + r()));
  const beta = tf.tensor1d(Array.from({ length: c }, () => r() - 0.5));
  // a weighting so that every output value gets a different gradient
  const w = tf.tensor4d(Array.from({ length: x.size }, () => r() - 0.5), shape);
  return { x, gamma, beta, w };
}

describe('batchNormTraining', () => {
  it('computes y, the batch mean and the biased variance per channel (checked in plain JS)', () => {
    const { x, gamma, beta, w } = inputs(1, [2, 3, 2, 3], 0.4);
    const out = batchNormTraining(x, gamma, beta, 1e-3);
    const [y, mean, variance] = [out.y, Array.from(out.mean.dataSync()), Array.from(out.variance.dataSync())];
    const xs = x.dataSync(), g = gamma.dataSync(), b = beta.dataSync(), ys = y.dataSync();
    for (let c = 0; c < 3; c++) {
      const vals = Array.from(xs).filter((_, i) => i % 3 === c);
      const m = vals.reduce((a, v) => a + v, 0) / vals.length;
      const v = vals.reduce((a, u) => a + (u - m) ** 2, 0) / vals.length;
      expect(mean[c]!).toBeCloseTo(m, 5);
      expect(variance[c]!).toBeCloseTo(v, 5);
      for (let i = c; i < xs.length; i += 3) expect(ys[i]!).toBeCloseTo(((xs[i]! - m) / Math.sqrt(v + 1e-3)) * g[c]! + b[c]!, 4);
    }
    expect(y.shape).toEqual(x.shape);
    tf.dispose([x, gamma, beta, w, out.y, out.mean, out.variance]);
  });

  for (const [label, shape, offset] of [
    ['centred values', [3, 4, 5, 2], 0],
    ['a channel mean far from 0 (|μ|/σ ≈ 6)', [2, 5, 3, 4], 5],
    ['one value per channel row (N·H·W = 4)', [4, 1, 1, 3], 0.2],
  ] as const) {
    it(`its closed-form gradient matches autodiff of moments + batchNorm: ${label}`, () => {
      const { x, gamma, beta, w } = inputs(7, [...shape], offset);
      const loss = (layer: typeof autodiffLayer) => (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        return tf.sum(tf.mul(layer(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-3), w)) as tf.Scalar;
      };
      const ours = tf.grads(loss((a, g, b, e) => batchNormTraining(a, g, b, e).y))([x, gamma, beta]);
      const ref = tf.grads(loss(autodiffLayer))([x, gamma, beta]);
      ours.forEach((t, i) => {
        expect(t.shape).toEqual(ref[i]!.shape);
        const o = t.dataSync(), e = ref[i]!.dataSync();
        const scale = Math.max(...Array.from(e, Math.abs));
        o.forEach((v, j) => expect(Math.abs(v - e[j]!)).toBeLessThan(2e-4 * scale + 1e-6));
      });
      tf.dispose([x, gamma, beta, w, ...ours, ...ref]);
    });
  }

  it('its gradient matches central finite differences (x, γ, β)', () => {
    const { x, gamma, beta, w } = inputs(11, [2, 2, 3, 2], 0.1);
    const f = (a: tf.Tensor4D, g: tf.Tensor1D, b: tf.Tensor1D) => tf.tidy(() => tf.sum(tf.mul(batchNormTraining(a, g, b, 1e-3).y, w)).dataSync()[0]!);
    const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(batchNormTraining(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-3).y, w)) as tf.Scalar)([x, gamma, beta]);
    const args = [x, gamma, beta];
    args.forEach((t, k) => {
      const orig = t.dataSync().slice();
      const g = grads[k]!.dataSync();
      for (const idx of [0, Math.floor(t.size / 2), t.size - 1]) {
        const at = (delta: number) => {
          const p = orig.slice(); p[idx]! += delta;
          const moved = tf.tensor(p, t.shape);
          const all = args.map((a, j) => (j === k ? moved : a));
          const v = f(all[0] as tf.Tensor4D, all[1] as tf.Tensor1D, all[2] as tf.Tensor1D);
          moved.dispose();
          return v;
        };
        const h = 1e-2;
        expect(g[idx]!).toBeCloseTo((at(h) - at(-h)) / (2 * h), 2);
      }
    });
    tf.dispose([x, gamma, beta, w, ...grads]);
  });

  it('gives the same gradients when x still lives on another backend (its data is moved, not lost)', async () => {
    const expected = tf.tidy(() => {
      const { x, gamma, beta, w } = inputs(13, [2, 3, 4, 2], 0.3);
      return tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(autodiffLayer(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-3), w)) as tf.Scalar)([x, gamma, beta]).map((t) => Array.from(t.dataSync()));
    });
    const { x: onCpu, gamma, beta, w } = inputs(13, [2, 3, 4, 2], 0.3);
    await useBackend('wasm', { allowSwitchWithTensors: true });
    const x = tf.tensor4d(onCpu.dataSync(), onCpu.shape as [number, number, number, number]);
    onCpu.dispose();
    await useBackend('cpu', { allowSwitchWithTensors: true });
    expect(tf.engine().backend.refCount(x.dataId)).toBe(0); // x's data is still on wasm
    const before = tf.memory().numTensors;
    const got = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(batchNormTraining(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-3).y, w)) as tf.Scalar)([x, gamma, beta]);
    got.forEach((t, i) => t.dataSync().forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, 4)));
    tf.dispose(got);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, gamma, beta, w]);
  });

  it('leaks nothing, with and without a gradient', async () => {
    const { x, gamma, beta, w } = inputs(3, [2, 3, 3, 2], 0);
    await expectNoLeaks(() => {
      const { y, mean, variance } = batchNormTraining(x, gamma, beta, 1e-3);
      tf.dispose([y, mean, variance]);
    });
    await expectNoLeaks(() => {
      const g = tf.grads((a: tf.Tensor, s: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(batchNormTraining(a as tf.Tensor4D, s as tf.Tensor1D, b as tf.Tensor1D, 1e-3).y, w)) as tf.Scalar)([x, gamma, beta]);
      tf.dispose(g);
    });
    await expectNoLeaks(() => {
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(batchNormTraining(a as tf.Tensor4D, gamma, b as tf.Tensor1D, 1e-3).y, w)) as tf.Scalar)([x, beta]);
      tf.dispose(g);
    });
    tf.dispose([x, gamma, beta, w]);
  });
});
