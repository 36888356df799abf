import { describe, expect, it } from 'vitest';
import { allPairs, createBalancedPairSampler } from './pair-sampler';
import { EmptyBatchError } from './errors/empty-batch-error';

describe('pair sampling', () => {
  it('balanced batches: the requested share of same pairs, labelled right, two distinct images each', () => {
    const labels = [0, 0, 0, 1, 1, 2, 3, 3, 3, 3];
    for (const positiveFraction of [0.5, 0.25]) {
      const s = createBalancedPairSampler(labels, { batchSize: 40, positiveFraction, seed: 2 });
      for (let t = 0; t < 5; t++) {
        const { left, right, same } = s.next();
        expect(same.reduce((a, b) => a + b, 0)).toBe(40 * positiveFraction);
        left.forEach((l, i) => {
          expect(l).not.toBe(right[i]);
          expect(same[i]).toBe(labels[l] === labels[right[i]!] ? 1 : 0);
        });
      }
    }
    const all = allPairs(labels);
    expect(all.left.length).toBe(45);
    expect(all.same.reduce((a, b) => a + b, 0)).toBe(3 + 1 + 6);
    expect(() => createBalancedPairSampler([0, 1, 2])).toThrowError(/no identity has two images/);
    expect(() => createBalancedPairSampler([0, 0])).toThrowError(/only one identity/);
    expect(() => createBalancedPairSampler([])).toThrowError(EmptyBatchError);
  });
});

