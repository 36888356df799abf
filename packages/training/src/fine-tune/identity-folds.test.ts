import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@likeness/backends';
import { assignIdentityFolds } from './identity-folds';

/** 30 people with 10 images each, ids 1 … 40 with gaps (like an ORL split's training people), images interleaved. */
const ids = Array.from({ length: 40 }, (_, i) => i + 1).filter((i) => i % 4 !== 0);
const labels = Int32Array.from({ length: 300 }, (_, i) => ids[i % 30]!);

describe('assignIdentityFolds', () => {
  it('puts every person in exactly one fold, balanced, with every image of that person', () => {
    const f = assignIdentityFolds(labels, 5, 3);
    expect(f.people.length).toBe(5);
    expect(f.people.map((p) => p.length)).toEqual([6, 6, 6, 6, 6]);
    const seen = f.people.flat().sort((a, b) => a - b);
    expect(seen).toEqual([...ids].sort((a, b) => a - b)); // no person twice, none missing
    f.rows.forEach((rows, k) => {
      expect(rows.length).toBe(60);
      for (const r of rows) { expect(f.people[k]).toContain(labels[r]); expect(f.foldOf[r]).toBe(k); }
    });
    // every image in exactly one fold
    expect(f.rows.reduce((n, r) => n + r.length, 0)).toBe(300);
    for (let i = 0; i < 300; i++) expect(f.rows[f.foldOf[i]!]).toContain(i);
    // 7 people in 3 folds: sizes 3, 2, 2 (differ by at most one)
    const g = assignIdentityFolds([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6], 3, 0);
    expect(g.people.map((p) => p.length).sort()).toEqual([2, 2, 3]);
  });

  it('is deterministic for a seed and shuffles with another', () => {
    const a = assignIdentityFolds(labels, 5, 1), b = assignIdentityFolds(labels, 5, 1), c = assignIdentityFolds(labels, 5, 2);
    expect(a.people).toEqual(b.people);
    expect(Array.from(a.foldOf)).toEqual(Array.from(b.foldOf));
    expect(a.people).not.toEqual(c.people);
    // not simply sorted ids dealt in order
    expect(a.people[0]).not.toEqual([1, 6, 11, 17, 22, 27]);
  });

  it('throws typed errors for bad folds and labels', () => {
    expect(() => assignIdentityFolds(labels, 1)).toThrow(InvalidArgumentError);
    expect(() => assignIdentityFolds(labels, 2.5)).toThrow(InvalidArgumentError);
    expect(() => assignIdentityFolds([0, 0, 1, 1], 3)).toThrow(/at least 3 people/);
    expect(() => assignIdentityFolds([0, 0.5], 2)).toThrow(InvalidArgumentError);
    expect(() => assignIdentityFolds(null as never, 2)).toThrow(InvalidArgumentError);
    expect(() => assignIdentityFolds(labels, 5, 0.5)).toThrow(InvalidArgumentError);
  });
});
