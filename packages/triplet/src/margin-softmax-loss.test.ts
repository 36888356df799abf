import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, ShapeError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { marginSoftmaxLoss } from './margin-softmax-loss';

beforeAll(async () => {
  await useBackend('cpu');
});

function rnd(seed: number, n: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1);
}

/** Float64 reference of the additive-margin softmax cross-entropy. */
function ref(E: number[][], W: number[][], y: number[], s: number, m: number, eps: number): number {
  const unit = (v: number[]) => {
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };
  const w = W.map(unit);
  const C = W.length;
  let total = 0;
  E.forEach((row, i) => {
    const e = unit(row);
    const logits = w.map((wj, j) => s * (wj.reduce((a, x, k) => a + x * e[k]!, 0) - (j === y[i] ? m : 0)));
    const mx = Math.max(...logits);
    const lse = mx + Math.log(logits.reduce((a, l) => a + Math.exp(l - mx), 0));
    logits.forEach((l, j) => { total -= ((j === y[i] ? 1 - eps : 0) + eps / C) * (l - lse); });
  });
  return total / E.length;
}

describe('marginSoftmaxLoss', () => {
  it('matches a hand-computed case', () => {
    // e = (1,0) and proxies (1,0), (0,1): cosines 1 and 0. s = 2, m = 0.5, ε = 0:
    // logits 2·(1 − 0.5) = 1 and 0 → CE = −log(e¹/(e¹ + e⁰)) = log(1 + e⁻¹)
    const l = marginSoftmaxLoss(tf.tensor2d([[3, 0]]), tf.tensor2d([[2, 0], [0, 5]]), [0], { scale: 2, margin: 0.5, labelSmoothing: 0 });
    expect(l.dataSync()[0]).toBeCloseTo(Math.log(1 + Math.exp(-1)), 6);
    // label smoothing ε = 0.2 over C = 2: target (0.9, 0.1) → 0.9·log(1 + e⁻¹) + 0.1·(1 + log(1 + e⁻¹))
    const ls = marginSoftmaxLoss(tf.tensor2d([[3, 0]]), tf.tensor2d([[2, 0], [0, 5]]), [0], { scale: 2, margin: 0.5, labelSmoothing: 0.2 });
    expect(ls.dataSync()[0]).toBeCloseTo(Math.log(1 + Math.exp(-1)) + 0.1, 6);
  });

  it('agrees with a float64 reference on random data (classes as an array or a tensor)', () => {
    const E = [rnd(1, 6), rnd(2, 6), rnd(3, 6), rnd(4, 6)];
    const W = [rnd(5, 6), rnd(6, 6), rnd(7, 6)];
    const y = [0, 2, 1, 2];
    const got = marginSoftmaxLoss(tf.tensor2d(E), tf.tensor2d(W), y, { scale: 8, margin: 0.3, labelSmoothing: 0.1 }).dataSync()[0]!;
    expect(got).toBeCloseTo(ref(E, W, y, 8, 0.3, 0.1), 4);
    const viaTensor = marginSoftmaxLoss(tf.tensor2d(E), tf.tensor2d(W), tf.tensor1d(y, 'int32'), { scale: 8, margin: 0.3, labelSmoothing: 0.1 }).dataSync()[0]!;
    expect(viaTensor).toBeCloseTo(got, 6);
  });

  it('has gradients for embeddings and proxies that match central finite differences of the float64 reference', () => {
    const E = [rnd(11, 4), rnd(12, 4), rnd(13, 4)];
    const W = [rnd(14, 4), rnd(15, 4)];
    const y = [1, 0, 1];
    const opts = { scale: 4, margin: 0.2, labelSmoothing: 0.1 };
    const [gE, gW] = tf.grads((e: tf.Tensor, w: tf.Tensor) => marginSoftmaxLoss(e as tf.Tensor2D, w as tf.Tensor2D, y, opts))([tf.tensor2d(E), tf.tensor2d(W)]);
    const h = 1e-6;
    const fd = (M: number[][], i: number, k: number, f: (M2: number[][]) => number) => {
      const up = M.map((r) => [...r]), dn = M.map((r) => [...r]);
      up[i]![k]! += h; dn[i]![k]! -= h;
      return (f(up) - f(dn)) / (2 * h);
    };
    const ge = gE!.arraySync() as number[][], gw = gW!.arraySync() as number[][];
    for (let i = 0; i < E.length; i++) for (let k = 0; k < 4; k++) {
      expect(ge[i]![k]).toBeCloseTo(fd(E, i, k, (M) => ref(M, W, y, 4, 0.2, 0.1)), 4);
    }
    for (let j = 0; j < W.length; j++) for (let k = 0; k < 4; k++) {
      expect(gw[j]![k]).toBeCloseTo(fd(W, j, k, (M) => ref(E, M, y, 4, 0.2, 0.1)), 4);
    }
  });

  it('is lower when each embedding points at its own proxy, and leaks nothing', async () => {
    const W = tf.tensor2d([[1, 0], [0, 1]]);
    const right = marginSoftmaxLoss(tf.tensor2d([[1, 0.1], [0.1, 1]]), W, [0, 1]).dataSync()[0]!;
    const wrong = marginSoftmaxLoss(tf.tensor2d([[1, 0.1], [0.1, 1]]), W, [1, 0]).dataSync()[0]!;
    expect(right).toBeLessThan(wrong);
    const e = tf.tensor2d([[1, 2], [3, 4]]);
    await expectNoLeaks(() => marginSoftmaxLoss(e, W, [0, 1]));
  });

  it('rejects bad input with typed errors that name the argument', () => {
    const e = tf.tensor2d([[1, 2]]), w = tf.tensor2d([[1, 0]]);
    expect(() => marginSoftmaxLoss(e, tf.tensor2d([[1, 0, 0]]), [0])).toThrow(ShapeError);
    expect(() => marginSoftmaxLoss(e, w, [1])).toThrow(/classes/);
    expect(() => marginSoftmaxLoss(e, w, [0, 0])).toThrow(ShapeError);
    expect(() => marginSoftmaxLoss(e, w, [NaN])).toThrow(/classes\[0\] is NaN/); // not silently class 0
    expect(() => marginSoftmaxLoss(e, w, [0.5])).toThrow(InvalidArgumentError);
    expect(() => marginSoftmaxLoss(e, w, null as never)).toThrow(/classes/);
    expect(() => marginSoftmaxLoss(e, w, [0], { scale: 0 })).toThrow(InvalidArgumentError);
    expect(() => marginSoftmaxLoss(e, w, [0], { labelSmoothing: 2 })).toThrow(/labelSmoothing/);
    expect(() => marginSoftmaxLoss(tf.tensor1d([1]) as never, w, [0])).toThrow(ShapeError);
  });
});
