import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, ShapeError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { activeFraction, reduceTripletLosses, tripletLoss, tripletLosses } from './triplet-loss';

beforeAll(async () => {
  await useBackend('cpu');
});

function rnd(seed: number, n: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1);
}

/** Reference in float64: Σ max(d(a,p) − d(a,n) + α, 0). */
function refLoss(a: number[][], p: number[][], n: number[][], margin: number, squared: boolean): number {
  const d = (u: number[], v: number[]) => {
    const s = u.reduce((acc, x, i) => acc + (x - v[i]!) ** 2, 0);
    return squared ? s : Math.sqrt(s);
  };
  return a.reduce((acc, ai, i) => acc + Math.max(d(ai, p[i]!) - d(ai, n[i]!) + margin, 0), 0);
}

describe('tripletLoss', () => {
  it('matches hand-computed values for both distances and every reduction', () => {
    // triplet 0: d(a,p)=1, d(a,n)=4 (squared) → max(1 − 4 + 0.2, 0) = 0
    // triplet 1: d(a,p)=25, d(a,n)=1 → 24.2 squared; plain: 5 − 1 + 0.2 = 4.2
    const a = tf.tensor2d([[0, 0], [0, 0]]);
    const p = tf.tensor2d([[1, 0], [3, 4]]);
    const n = tf.tensor2d([[0, 2], [1, 0]]);
    expect(Array.from(tripletLosses(a, p, n).dataSync())).toEqual([0, expect.closeTo(24.2, 5)]);
    expect(Array.from(tripletLosses(a, p, n, { metric: 'l2' }).dataSync())).toEqual([0, expect.closeTo(4.2, 5)]);
    expect(tripletLoss(a, p, n, { reduction: 'sum' }).dataSync()[0]).toBeCloseTo(24.2, 5);
    expect(tripletLoss(a, p, n, { reduction: 'mean' }).dataSync()[0]).toBeCloseTo(12.1, 5);
    expect(tripletLoss(a, p, n, { reduction: 'mean-active' }).dataSync()[0]).toBeCloseTo(24.2, 5);
    expect(tripletLoss(a, p, n, { margin: 5, reduction: 'sum' }).dataSync()[0]).toBeCloseTo(2 + 29, 5);
    expect(activeFraction(tripletLosses(a, p, n))).toBe(0.5);
    expect(reduceTripletLosses(tf.tensor1d([]), 'mean-active').dataSync()[0]).toBe(0);
    expect(reduceTripletLosses(tf.tensor1d([0, 0]), 'mean-active').dataSync()[0]).toBe(0);
  });

  it('agrees with a float64 reference on random triplets', () => {
    const A = [rnd(1, 6), rnd(2, 6), rnd(3, 6), rnd(4, 6)];
    const P = [rnd(5, 6), rnd(6, 6), rnd(7, 6), rnd(8, 6)];
    const N = [rnd(9, 6), rnd(10, 6), rnd(11, 6), rnd(12, 6)];
    for (const metric of ['squared-l2', 'l2'] as const) {
      const got = tripletLoss(tf.tensor2d(A), tf.tensor2d(P), tf.tensor2d(N), { margin: 0.5, metric, reduction: 'sum' }).dataSync()[0]!;
      expect(got).toBeCloseTo(refLoss(A, P, N, 0.5, metric === 'squared-l2'), 4);
    }
  });

  it('has gradients that match central finite differences (float64) for anchor, positive and negative', () => {
    const A = [rnd(21, 5), rnd(22, 5), rnd(23, 5)];
    const P = [rnd(24, 5), rnd(25, 5), rnd(26, 5)];
    const N = [rnd(27, 5), rnd(28, 5), rnd(29, 5)];
    const margin = 1.5; // keeps every triplet active, away from the hinge
    for (const metric of ['squared-l2', 'l2'] as const) {
      const squared = metric === 'squared-l2';
      const g = tf.grads((a: tf.Tensor, p: tf.Tensor, n: tf.Tensor) =>
        tripletLoss(a as tf.Tensor2D, p as tf.Tensor2D, n as tf.Tensor2D, { margin, metric, reduction: 'sum' }),
      )([tf.tensor2d(A), tf.tensor2d(P), tf.tensor2d(N)]);
      const inputs = [A, P, N];
      const h = 1e-6;
      let checked = 0;
      inputs.forEach((M, which) => {
        const got = g[which]!.arraySync() as number[][];
        M.forEach((row, i) =>
          row.forEach((_, j) => {
            const plus = inputs.map((X) => X.map((r) => [...r]));
            const minus = inputs.map((X) => X.map((r) => [...r]));
            plus[which]![i]![j]! += h;
            minus[which]![i]![j]! -= h;
            const fd = (refLoss(plus[0]!, plus[1]!, plus[2]!, margin, squared) - refLoss(minus[0]!, minus[1]!, minus[2]!, margin, squared)) / (2 * h);
            expect(got[i]![j]!).toBeCloseTo(fd, 3);
            checked++;
          }),
        );
      });
      expect(checked).toBe(45);
    }
  });

  it('mean-active is differentiable: gradient = sum gradient / number of active triplets', () => {
    const a = tf.tensor2d([[0, 0], [0, 0], [0, 0]]);
    const p = tf.tensor2d([[1, 0], [3, 4], [0, 1]]);
    const n = tf.tensor2d([[0, 2], [1, 0], [0, 0.5]]);
    // active: triplets 1 and 2 (d_ap − d_an + 0.2 = 24.2 and 0.95)
    const gs = tf.grad((x: tf.Tensor) => tripletLoss(a, x as tf.Tensor2D, n, { reduction: 'sum' }))(p);
    const gm = tf.grad((x: tf.Tensor) => tripletLoss(a, x as tf.Tensor2D, n, { reduction: 'mean-active' }))(p);
    // ∂/∂p of d(a,p) = 2(p − a) for each active row; inactive row 0 gets 0
    expect(Array.from(gs.dataSync())).toEqual([0, 0, 6, 8, 0, 2]);
    Array.from(gm.dataSync()).forEach((v, i) => expect(v).toBeCloseTo([0, 0, 6, 8, 0, 2][i]! / 2, 6));
  });

  it('refuses bad input with typed errors', () => {
    const a = tf.zeros([2, 3]) as tf.Tensor2D;
    expect(() => tripletLoss(a, tf.zeros([2, 4]) as tf.Tensor2D, a)).toThrowError(ShapeError);
    expect(() => tripletLoss(a, a, tf.zeros([3, 3]) as tf.Tensor2D)).toThrowError(/same shape as `anchor`/);
    expect(() => tripletLoss(tf.zeros([3]) as unknown as tf.Tensor2D, a, a)).toThrowError(ShapeError);
    expect(() => tripletLoss(a, a, a, { margin: -1 })).toThrowError(InvalidArgumentError);
    expect(() => tripletLoss(a, a, a, { reduction: 'avg' as never })).toThrowError(/options.reduction/);
    expect(() => tripletLoss(a, a, a, { metric: 'cosine' as never })).toThrowError(/options.metric/);
    expect(() => tripletLoss([[1]] as never, a, a)).toThrowError(InvalidArgumentError);
  });

  it('leaks nothing', async () => {
    const a = tf.randomNormal([4, 3]) as tf.Tensor2D;
    const p = tf.randomNormal([4, 3]) as tf.Tensor2D;
    const n = tf.randomNormal([4, 3]) as tf.Tensor2D;
    await expectNoLeaks(() => tripletLoss(a, p, n, { reduction: 'mean-active' }));
    await expectNoLeaks(() => tripletLosses(a, p, n, { metric: 'l2' }));
    const L = tripletLosses(a, p, n);
    await expectNoLeaks(() => activeFraction(L));
    L.dispose();
    tf.dispose([a, p, n]);
  });
});
