import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, ShapeError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { pairwiseDistances } from './pairwise-distances';
import { cosineDistance, l2Distance, squaredL2Distance } from './distances';

function rnd(seed: number, n: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1);
}

beforeAll(async () => {
  await useBackend('cpu');
});

describe('pairwiseDistances', () => {
  const A = [rnd(1, 6), rnd(2, 6), rnd(3, 6), rnd(4, 6)];
  const B = [rnd(5, 6), rnd(6, 6), rnd(7, 6)];

  it('matches the brute-force row-wise distance for every pair and metric', () => {
    const a = tf.tensor2d(A);
    const b = tf.tensor2d(B);
    const fns = { 'squared-l2': squaredL2Distance, l2: l2Distance, cosine: cosineDistance } as const;
    for (const metric of ['squared-l2', 'l2', 'cosine'] as const) {
      const D = pairwiseDistances(a, b, { metric });
      expect(D.shape).toEqual([4, 3]);
      const got = D.arraySync();
      for (let i = 0; i < 4; i++) {
        for (let j = 0; j < 3; j++) {
          const ref = fns[metric](tf.tensor1d(A[i]!), tf.tensor1d(B[j]!)).arraySync() as number;
          expect(got[i]![j]).toBeCloseTo(ref, 5);
        }
      }
    }
  });

  it('self distances: symmetric with an exact zero diagonal and finite L2 gradient', () => {
    const a = tf.tensor2d(A);
    for (const metric of ['squared-l2', 'l2', 'cosine'] as const) {
      const D = pairwiseDistances(a, undefined, { metric }).arraySync();
      for (let i = 0; i < 4; i++) {
        expect(D[i]![i]).toBe(0);
        for (let j = 0; j < 4; j++) expect(D[i]![j]).toBeCloseTo(D[j]![i]!, 6);
      }
    }
    const g = tf.grad((x: tf.Tensor) => tf.sum(pairwiseDistances(x as tf.Tensor2D, undefined, { metric: 'l2' })))(a);
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    // finite-difference check of one coordinate
    const f = (v: number[][]) => (tf.sum(pairwiseDistances(tf.tensor2d(v), undefined, { metric: 'l2' })).arraySync() as number);
    const h = 1e-2;
    const plus = A.map((r) => r.slice()); plus[1]![2]! += h;
    const minus = A.map((r) => r.slice()); minus[1]![2]! -= h;
    expect((g.arraySync() as number[][])[1]![2]).toBeCloseTo((f(plus) - f(minus)) / (2 * h), 2);
  });

  it('refuses a different D, a wrong rank and an unknown metric', () => {
    const a = tf.zeros([2, 4]) as tf.Tensor2D;
    expect(() => pairwiseDistances(a, tf.zeros([2, 3]) as tf.Tensor2D)).toThrowError(ShapeError);
    expect(() => pairwiseDistances(tf.zeros([4]) as unknown as tf.Tensor2D)).toThrowError(ShapeError);
    expect(() => pairwiseDistances(a, undefined, { metric: 'euclid' as 'l2' })).toThrowError(InvalidArgumentError);
  });

  it('leaks nothing', async () => {
    const a = tf.tensor2d(A);
    const b = tf.tensor2d(B);
    for (const metric of ['squared-l2', 'l2', 'cosine'] as const) {
      await expectNoLeaks(() => pairwiseDistances(a, b, { metric }));
      await expectNoLeaks(() => pairwiseDistances(a, undefined, { metric }));
    }
  });
});
