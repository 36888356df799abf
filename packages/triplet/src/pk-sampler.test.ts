import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@likeness/backends';
import { createPKSampler } from './pk-sampler';
import { DegenerateBatchError } from './errors/degenerate-batch-error';

describe('createPKSampler', () => {
  // 7 identities: ids 0..5 have 4 images, id 6 has 2 (fewer than K), id 9 has 1 (unusable)
  const labels: number[] = [];
  for (let id = 0; id < 6; id++) for (let j = 0; j < 4; j++) labels.push(id);
  labels.push(6, 6, 9);

  it('draws P distinct identities × K images of that identity', () => {
    const s = createPKSampler(labels, { p: 3, k: 3, seed: 7 });
    for (let b = 0; b < 20; b++) {
      const idx = s.next();
      expect(idx.length).toBe(9);
      const ids: number[] = [];
      for (let c = 0; c < 3; c++) {
        const block = Array.from(idx.slice(c * 3, c * 3 + 3));
        const id = labels[block[0]!]!;
        for (const i of block) expect(labels[i]).toBe(id);
        if (id !== 6) expect(new Set(block).size).toBe(3); // no repeats when the identity has ≥ K images
        ids.push(id);
      }
      expect(new Set(ids).size).toBe(3);
      expect(ids).not.toContain(9);
      expect(Array.from(s.labelsOf(idx))).toEqual(Array.from(idx, (i) => labels[i]));
    }
  });

  it('visits every usable identity once per round', () => {
    const s = createPKSampler(labels, { p: 7, k: 2, seed: 1 });
    const ids = new Set(Array.from(s.next(), (i) => labels[i]));
    expect([...ids].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('resumes exactly from getState()', () => {
    const a = createPKSampler(labels, { p: 2, k: 2, seed: 3 });
    a.next();
    a.next();
    const st = a.getState();
    const rest = [a.next(), a.next(), a.next()].map((x) => Array.from(x));
    const b = createPKSampler(labels, { p: 2, k: 2, seed: 99 });
    b.setState(JSON.parse(JSON.stringify(st)));
    expect([b.next(), b.next(), b.next()].map((x) => Array.from(x))).toEqual(rest);
  });

  it('refuses datasets without positives and impossible P with typed errors', () => {
    expect(() => createPKSampler([0, 1, 2, 3], { p: 2, k: 2 })).toThrowError(DegenerateBatchError);
    try {
      createPKSampler([0, 0, 1, 2], { p: 2, k: 2 });
    } catch (e) {
      expect(DegenerateBatchError.isInstance(e) && e.reason).toBe('no-positives');
    }
    expect(() => createPKSampler(labels, { p: 8, k: 2 })).toThrowError(InvalidArgumentError);
    expect(() => createPKSampler(labels, { p: 2, k: 1 })).toThrowError(/options.k/);
  });
});
