import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, ShapeError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { cosineDistance, l2Distance, squaredL2Distance } from './distances';

function rnd(seed: number, n: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1);
}
const sq = (u: number[], v: number[]) => u.reduce((acc, x, i) => acc + (x - v[i]!) ** 2, 0);
const cos = (u: number[], v: number[]) => {
  const dot = u.reduce((a, x, i) => a + x * v[i]!, 0);
  return 1 - dot / Math.sqrt(u.reduce((a, x) => a + x * x, 0) * v.reduce((a, x) => a + x * x, 0));
};

beforeAll(async () => {
  await useBackend('cpu');
});

describe('row-wise distances', () => {
  const A = [rnd(1, 5), rnd(2, 5), rnd(3, 5)];
  const B = [rnd(4, 5), rnd(5, 5), rnd(6, 5)];

  it('match a brute-force computation for every metric', () => {
    const a = tf.tensor2d(A);
    const b = tf.tensor2d(B);
    const cases: [typeof squaredL2Distance, (u: number[], v: number[]) => number][] = [
      [squaredL2Distance, sq],
      [l2Distance, (u, v) => Math.sqrt(sq(u, v))],
      [cosineDistance, cos],
    ];
    for (const [f, ref] of cases) {
      const d = f(a, b);
      expect(d.shape).toEqual([3]);
      const got = Array.from(d.dataSync());
      got.forEach((g, i) => expect(g).toBeCloseTo(ref(A[i]!, B[i]!), 5));
      d.dispose();
    }
    tf.dispose([a, b]);
  });

  it('hand-computed: (0,0)-(3,4) is 25 squared, 5 plain; orthogonal vectors are at cosine 1', () => {
    const a = tf.tensor1d([0, 0]);
    const b = tf.tensor1d([3, 4]);
    expect(squaredL2Distance(a, b).arraySync()).toBeCloseTo(25, 5);
    expect(l2Distance(a, b).arraySync()).toBeCloseTo(5, 5);
    expect(cosineDistance(tf.tensor1d([1, 0]), tf.tensor1d([0, 2])).arraySync()).toBeCloseTo(1, 6);
    expect(cosineDistance(tf.tensor1d([1, 1]), tf.tensor1d([-2, -2])).arraySync()).toBeCloseTo(2, 6);
    // a zero vector: distance 1, not NaN
    expect(cosineDistance(tf.tensor1d([0, 0]), tf.tensor1d([1, 2])).arraySync()).toBeCloseTo(1, 6);
    tf.disposeVariables();
  });

  it('broadcasts a single query row against a batch', () => {
    const q = tf.tensor1d(A[0]!);
    const b = tf.tensor2d(B);
    const d = Array.from(squaredL2Distance(q, b).dataSync());
    d.forEach((g, i) => expect(g).toBeCloseTo(sq(A[0]!, B[i]!), 5));
  });

  it('l2Distance has a finite gradient where a = b (and the right one elsewhere)', () => {
    const g = tf.grad((x: tf.Tensor) => tf.sum(l2Distance(x, tf.tensor2d([[1, 2], [0, 0]]))));
    const dx = Array.from(g(tf.tensor2d([[1, 2], [3, 4]])).dataSync());
    // row 0 identical → 0; row 1: (x−y)/‖x−y‖ = (3,4)/5
    expect(dx.map((v) => Number(v.toFixed(6)))).toEqual([0, 0, 0.6, 0.8]);
  });

  it('refuses mismatched embedding lengths and bad ranks with ShapeError', () => {
    const a = tf.zeros([2, 4]);
    const b = tf.zeros([2, 5]);
    expect(() => squaredL2Distance(a, b)).toThrowError(/same length/);
    expect(ShapeError.isInstance((() => { try { l2Distance(a, b); } catch (e) { return e; } })())).toBe(true);
    expect(() => cosineDistance(tf.zeros([2, 2, 2]), tf.zeros([2, 2]))).toThrowError(ShapeError);
    expect(() => l2Distance(tf.zeros([2, 4]), tf.zeros([3, 4]))).toThrowError(/pairwiseDistances/);
    expect(() => l2Distance([1, 2] as unknown as tf.Tensor, a)).toThrowError(InvalidArgumentError);
    tf.dispose([a, b]);
  });

  it('leaks nothing', async () => {
    const a = tf.tensor2d(A);
    const b = tf.tensor2d(B);
    for (const f of [squaredL2Distance, l2Distance, cosineDistance]) await expectNoLeaks(() => f(a, b));
    tf.dispose([a, b]);
  });
});
