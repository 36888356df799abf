import { describe, expect, it } from 'vitest';
import { clusterFaces } from './cluster';

describe('clusterFaces', () => {
  // Points on a line: distance = |xi - xj|.
  const matrix = (xs: number[]) => xs.map((a) => xs.map((b) => Math.abs(a - b)));

  it('merges with complete linkage under the threshold (brute-force check of every cross pair)', () => {
    const xs = [0, 0.1, 0.2, 1, 1.05, 3];
    const groups = clusterFaces(matrix(xs), [0, 1, 2, 3, 4, 5], 0.3);
    expect(groups.map((g) => g.sort())).toEqual([[0, 1, 2], [3, 4], [5]]);
    for (const g of groups) for (const i of g) for (const j of g) expect(Math.abs(xs[i]! - xs[j]!)).toBeLessThanOrEqual(0.3);
  });

  it('a chain does not merge when its ends are too far apart (complete, not single, linkage)', () => {
    const groups = clusterFaces(matrix([0, 0.2, 0.4]), [0, 1, 2], 0.3);
    expect(groups.length).toBe(2);
  });

  it('never puts two faces of one photo together', () => {
    const groups = clusterFaces(matrix([0, 0.01, 0.02]), [7, 7, 8], 0.5);
    expect(groups.some((g) => g.includes(0) && g.includes(1))).toBe(false);
    expect(groups.flat().sort()).toEqual([0, 1, 2]);
  });
});
