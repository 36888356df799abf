import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, ShapeError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { batchAllFromDistances, batchHardFromDistances, semiHardFromDistances } from './mine-from-distances';
import { mineTriplets, mineTripletsFromDistances } from './mine-triplets';
import { SeededRandom } from '@likeness/embeddings';
import { randomTriplets } from './random-triplets';
import type { Triplets } from '../triplets';

beforeAll(async () => {
  await useBackend('cpu');
});

function rnd(seed: number, n: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1);
}

/** A random batch: N rows of D floats, labels with `ids` identities. */
function batch(seed: number, n: number, dim: number, ids: number) {
  const E = Array.from({ length: n }, (_, i) => rnd(seed * 100 + i, dim));
  const labels = Array.from({ length: n }, (_, i) => i % ids);
  // independent float64 squared-L2 distance matrix
  const D = E.map((u) => E.map((v) => u.reduce((a, x, k) => a + (x - v[k]!) ** 2, 0)));
  return { E, labels, D, flat: D.flat() };
}

/** Every (a,p,n) triple of the batch that is a valid triplet, by brute force over N³. */
function allValid(labels: number[]): [number, number, number][] {
  const n = labels.length;
  const out: [number, number, number][] = [];
  for (let a = 0; a < n; a++) for (let p = 0; p < n; p++) for (let q = 0; q < n; q++) {
    if (a !== p && labels[a] === labels[p] && labels[q] !== labels[a]) out.push([a, p, q]);
  }
  return out;
}
const rows = (t: Triplets) => Array.from(t.anchors, (a, i) => [a, t.positives[i]!, t.negatives[i]!] as [number, number, number]);

describe('online miners against brute-force enumeration', () => {
  const cases = [batch(1, 12, 4, 4), batch(2, 10, 3, 3), batch(3, 9, 5, 2), batch(4, 15, 2, 5)];

  it('batch-all returns exactly the valid triplets (and the active ones with activeOnly)', () => {
    for (const { labels, D } of cases) {
      const brute = allValid(labels);
      expect(rows(batchAllFromDistances(D, labels)).sort()).toEqual([...brute].sort());
      const margin = 0.3;
      const active = brute.filter(([a, p, q]) => D[a]![p]! - D[a]![q]! + margin > 0);
      expect(active.length).toBeGreaterThan(0);
      expect(active.length).toBeLessThan(brute.length);
      expect(rows(batchAllFromDistances(D, labels, { activeOnly: true, margin })).sort()).toEqual(active.sort());
    }
  });

  it('batch-hard picks, per anchor, the valid triplet with the largest d(a,p) − d(a,n)', () => {
    for (const { labels, D } of cases) {
      const brute = allValid(labels);
      const got = rows(batchHardFromDistances(D, labels));
      const anchors = [...new Set(brute.map((t) => t[0]))];
      expect(got.map((t) => t[0])).toEqual(anchors);
      for (const [a, p, q] of got) {
        expect(brute).toContainEqual([a, p, q]);
        const worst = Math.max(...brute.filter((t) => t[0] === a).map(([, pp, qq]) => D[a]![pp]! - D[a]![qq]!));
        expect(D[a]![p]! - D[a]![q]!).toBe(worst);
        // and it is the hardest positive and the hardest negative separately
        expect(D[a]![p]!).toBe(Math.max(...brute.filter((t) => t[0] === a).map((t) => D[a]![t[1]]!)));
        expect(D[a]![q]!).toBe(Math.min(...brute.filter((t) => t[0] === a).map((t) => D[a]![t[2]]!)));
      }
    }
  });

  it('semi-hard picks the nearest negative inside (d(a,p), d(a,p)+α) and falls back as documented', () => {
    let semiSeen = 0;
    let fallbackSeen = 0;
    let skippedSeen = 0;
    for (const { labels, D } of cases) {
      for (const margin of [0.1, 0.5, 2]) {
        const brute = allValid(labels);
        const pairs = [...new Set(brute.map(([a, p]) => `${a},${p}`))].map((s) => s.split(',').map(Number) as [number, number]);
        const lh = rows(semiHardFromDistances(D, labels, { margin }));
        const skip = rows(semiHardFromDistances(D, labels, { margin, fallback: 'skip' }));
        const hardest = rows(semiHardFromDistances(D, labels, { margin, fallback: 'hardest' }));
        expect(hardest.length).toBe(pairs.length);
        for (const [a, p] of pairs) {
          const negs = brute.filter((t) => t[0] === a && t[1] === p).map((t) => t[2]);
          const dap = D[a]![p]!;
          const semi = negs.filter((q) => D[a]![q]! > dap && D[a]![q]! < dap + margin);
          const hard = negs.filter((q) => D[a]![q]! <= dap);
          const mine = lh.filter((t) => t[0] === a && t[1] === p);
          const mineSkip = skip.filter((t) => t[0] === a && t[1] === p);
          const mineHardest = hardest.filter((t) => t[0] === a && t[1] === p);
          expect(D[a]![mineHardest[0]![2]]!).toBe(semi.length ? Math.min(...semi.map((q) => D[a]![q]!)) : Math.min(...negs.map((q) => D[a]![q]!)));
          if (semi.length > 0) {
            semiSeen++;
            expect(mine).toHaveLength(1);
            expect(semi).toContain(mine[0]![2]);
            expect(D[a]![mine[0]![2]]!).toBe(Math.min(...semi.map((q) => D[a]![q]!)));
            expect(mineSkip).toEqual(mine);
          } else {
            expect(mineSkip).toHaveLength(0);
            if (hard.length > 0) {
              fallbackSeen++;
              expect(mine).toHaveLength(1);
              expect(D[a]![mine[0]![2]]!).toBe(Math.max(...hard.map((q) => D[a]![q]!)));
            } else {
              skippedSeen++;
              expect(mine).toHaveLength(0);
            }
          }
        }
      }
    }
    // the cases exercise every branch
    expect(semiSeen).toBeGreaterThan(0);
    expect(fallbackSeen).toBeGreaterThan(0);
    expect(skippedSeen).toBeGreaterThan(0);
  });

  it('the tensor miners compute the same distance matrix and the same triplets', () => {
    const { E, labels, flat } = batch(5, 12, 4, 4);
    const e = tf.tensor2d(E);
    expect(rows(mineTriplets(e, labels, 'batch-hard'))).toEqual(rows(batchHardFromDistances(flat, labels)));
    expect(rows(mineTriplets(e, labels, 'semi-hard', { margin: 0.5 }))).toEqual(rows(semiHardFromDistances(flat, labels, { margin: 0.5 })));
    expect(rows(mineTriplets(e, labels, 'batch-all'))).toEqual(rows(batchAllFromDistances(flat, labels)));
    // plain L2 ranks like squared L2 for batch-hard (monotone), but not the semi-hard band
    expect(rows(mineTriplets(e, labels, 'batch-hard', { metric: 'l2' }))).toEqual(rows(batchHardFromDistances(flat, labels)));
    const l2flat = flat.map(Math.sqrt);
    expect(rows(mineTriplets(e, labels, 'semi-hard', { metric: 'l2', margin: 0.5 }))).toEqual(rows(semiHardFromDistances(l2flat, labels, { margin: 0.5 })));
    e.dispose();
  });

  it('random triplets are valid, one per anchor, reproducible from the seed', () => {
    const labels = [0, 0, 1, 1, 1, 2, 3];
    const t = randomTriplets(labels, { seed: 4, perAnchor: 3 });
    const valid = allValid(labels);
    for (const r of rows(t)) expect(valid).toContainEqual(r);
    expect(t.anchors.length).toBe(5 * 3); // anchors 5 and 6 have no positive
    expect(rows(randomTriplets(labels, { seed: 4, perAnchor: 3 }))).toEqual(rows(t));
    expect(rows(mineTriplets(tf.zeros([7, 2]) as tf.Tensor2D, labels, 'random', { seed: 4 })).length).toBe(5);
  });

  it('returns no triplet for batches without positives or negatives', () => {
    const D = [[0, 1], [1, 0]];
    expect(batchHardFromDistances(D, [0, 1]).anchors.length).toBe(0);
    expect(batchAllFromDistances(D, [3, 3]).anchors.length).toBe(0);
    expect(semiHardFromDistances(D, [3, 3]).anchors.length).toBe(0);
  });

  it('refuses bad input with typed errors', () => {
    expect(() => batchHardFromDistances([0, 1, 1], [0, 1])).toThrowError(ShapeError);
    expect(() => batchHardFromDistances([[0, 1], [1, 0]], [0, 0.5])).toThrowError(/integers/);
    expect(() => mineTriplets(tf.zeros([3, 2]) as tf.Tensor2D, [0, 1], 'batch-hard')).toThrowError(ShapeError);
    expect(() => mineTriplets(tf.zeros([2, 2]) as tf.Tensor2D, [0, 1], 'hardest' as never)).toThrowError(InvalidArgumentError);
    expect(() => semiHardFromDistances([[0, 1], [1, 0]], [0, 1], { fallback: 'x' as never })).toThrowError(/options.fallback/);
    expect(() => mineTriplets(tf.zeros([2]) as never, [0, 1], 'batch-hard')).toThrowError(ShapeError);
  });

  it('leaks nothing', async () => {
    const e = tf.randomNormal([8, 3]) as tf.Tensor2D;
    const labels = [0, 0, 1, 1, 2, 2, 3, 3];
    await expectNoLeaks(() => mineTriplets(e, labels, 'batch-hard'));
    await expectNoLeaks(() => mineTriplets(e, labels, 'semi-hard'));
    await expectNoLeaks(() => mineTriplets(e, labels, 'batch-all'));
    e.dispose();
  });
});

describe('mineTripletsFromDistances', () => {
  it('gives what mineTriplets gives on the same embeddings (distances computed here in float64), for every strategy', () => {
    const rows = [[0, 0], [0.1, 0.3], [1, 1], [1.2, 0.9], [0.2, 1.1], [2, 0.1], [1.9, 0.4]];
    const labels = [0, 0, 1, 1, 2, 3, 3];
    const d = rows.map((a) => rows.map((b) => (a[0]! - b[0]!) ** 2 + (a[1]! - b[1]!) ** 2));
    const e = tf.tensor2d(rows);
    for (const strategy of ['batch-all', 'batch-hard', 'semi-hard', 'random'] as const) {
      const want = mineTriplets(e, labels, strategy, { margin: 0.5, seed: 3 });
      const got = mineTripletsFromDistances(d, labels, strategy, { margin: 0.5, seed: 3 });
      expect([...got.anchors, ...got.positives, ...got.negatives]).toEqual([...want.anchors, ...want.positives, ...want.negatives]);
      if (strategy !== 'semi-hard') expect(got.anchors.length).toBeGreaterThan(0);
    }
    e.dispose();
  });

  it("'random' draws from options.rng (advancing it) instead of the seed", () => {
    const labels = [0, 0, 1, 1, 2, 2];
    const zeros = new Array(36).fill(0);
    const rng = new SeededRandom(9);
    const first = mineTripletsFromDistances(zeros, labels, 'random', { rng });
    const second = mineTripletsFromDistances(zeros, labels, 'random', { rng });
    const replay = new SeededRandom(9);
    expect(Array.from(first.negatives)).toEqual(Array.from(randomTriplets(labels, { rng: replay }).negatives));
    expect(Array.from(second.negatives)).toEqual(Array.from(randomTriplets(labels, { rng: replay }).negatives));
  });

  it('refuses a bad strategy and a matrix of the wrong size', () => {
    expect(() => mineTripletsFromDistances([0, 1, 1, 0], [0, 1], 'hardest' as never)).toThrow(InvalidArgumentError);
    expect(() => mineTripletsFromDistances([0, 1, 1], [0, 1], 'batch-hard')).toThrow();
  });
});
