import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@likeness/backends';
import { equalErrorRate, tarAtFar } from '@likeness/embeddings';
import { selectPooledEpoch } from './pooled-epoch-selection';

/** A small LCG (independent of the module's generators). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

/** Pooled pairs of 5 folds × 6 people × 4 images: pairs only within a fold (as the cross-validation pools them). */
function pooledPairs() {
  const a: number[] = [], b: number[] = [];
  for (let f = 0; f < 5; f++) {
    const lab: number[] = [];
    for (let p = 0; p < 6; p++) for (let i = 0; i < 4; i++) lab.push(f * 6 + p);
    for (let i = 0; i < lab.length; i++) for (let j = i + 1; j < lab.length; j++) { a.push(lab[i]!); b.push(lab[j]!); }
  }
  return { a, b, same: a.map((x, i) => (x === b[i] ? 1 : 0)) };
}

describe('selectPooledEpoch', () => {
  const L = pooledPairs();
  const r = lcg(7);
  // epoch 0: overlapping classes (same ~ U(0.2, 0.7), different ~ U(0.5, 1.0))
  const d0 = L.same.map((s) => (s ? 0.2 + 0.5 * r() : 0.5 + 0.5 * r()));
  // a clear improvement: every same-person pair 15 % closer (the classes still overlap)
  const better = d0.map((d, i) => (L.same[i] ? 0.85 * d : d));
  // noise: one same-person pair at the EER threshold moved below every different-person pair
  const thr = [...d0].filter((_, i) => !L.same[i]).sort((x, y) => x - y);
  const border = d0.findIndex((d, i) => L.same[i] && d > thr[100]! && d < 0.7);
  const noisy = d0.map((d, i) => (i === border ? 0.01 : d));

  it('chooses an epoch that improves the pooled EER significantly, and reports figures that match independent computations', () => {
    const s = selectPooledEpoch([{ distances: d0, loss: 0.3 }, { distances: better, loss: 0.2 }], L);
    expect(s.candidate).toBe(1);
    expect(s.chosen).toBe(1);
    expect(s.confidence).toBeGreaterThanOrEqual(0.95);
    expect(s.epochs[0]!.eer).toBeCloseTo(equalErrorRate(d0, L.same).eer, 10);
    expect(s.epochs[1]!.eer).toBeCloseTo(equalErrorRate(better, L.same).eer, 10);
    expect(s.epochs[1]!.eer).toBeLessThan(s.epochs[0]!.eer - 0.05);
    expect(s.epochs[1]!.tar).toBe(tarAtFar(better, L.same, 1e-3).tar);
    expect(Number.isNaN(s.epochs[0]!.confidence)).toBe(true);
    expect(s.epochs[1]!.confidence).toBe(s.confidence);
  });

  it('keeps epoch 0 when the best epoch\'s gain is one pair (not significant over the people), unless the guard is off', () => {
    expect(border).toBeGreaterThanOrEqual(0);
    const epochs = [{ distances: d0, loss: 0.3 }, { distances: noisy, loss: 0.3 }];
    const s = selectPooledEpoch(epochs, L);
    expect(s.epochs[1]!.eer).toBeLessThan(s.epochs[0]!.eer); // a point-estimate gain …
    expect(s.candidate).toBe(1);
    expect(s.confidence).toBeLessThan(0.95); // … that the bootstrap over the 30 people does not support
    // one person's pair changed: resamples without that person tie (not better), none is worse; ≈ 1 − (29/30)³⁰ ≈ 64 % are better
    expect(s.epochs[1]!.worse).toBe(0);
    expect(s.epochs[1]!.better).toBe(s.confidence);
    expect(s.confidence).toBeGreaterThan(0.55);
    expect(s.confidence).toBeLessThan(0.73);
    expect(s.chosen).toBe(0);
    expect(selectPooledEpoch(epochs, L, { keepBest: { minConfidence: 0 } }).chosen).toBe(1);
    // a worse epoch is never kept, even with the guard off
    const worse = d0.map((d, i) => (L.same[i] ? d * 1.3 : d));
    const w = selectPooledEpoch([{ distances: d0, loss: 0.3 }, { distances: worse, loss: 0.1 }], L, { keepBest: { minConfidence: 0 } });
    expect(w.candidate).toBe(1);
    expect(w.chosen).toBe(0);
  });

  it('picks the candidate by the lowest pooled EER, ties by the higher TAR@FAR, then the lower loss; tests only that one', () => {
    const best2 = better.map((d, i) => (L.same[i] ? 0.9 * d : d));
    const s = selectPooledEpoch([{ distances: d0, loss: 0.3 }, { distances: better, loss: 0.1 }, { distances: best2, loss: 0.2 }, { distances: noisy, loss: 0 }], L);
    expect(s.epochs[2]!.eer).toBeLessThan(s.epochs[1]!.eer);
    expect(s.candidate).toBe(2);
    expect(s.chosen).toBe(2);
    // same EER, different TAR@1e-3: move the same-person pairs between the 2nd- and 11th-closest different pairs (below the EER threshold) far below them
    const neg = better.filter((_, i) => !L.same[i]).sort((x, y) => x - y);
    const moved = better.map((d, i) => (L.same[i] && d > neg[1]! && d < neg[10]! ? 0.001 : d));
    expect(equalErrorRate(moved, L.same).eer).toBeCloseTo(equalErrorRate(better, L.same).eer, 12);
    expect(tarAtFar(moved, L.same, 1e-3).tar).toBeGreaterThan(tarAtFar(better, L.same, 1e-3).tar);
    expect(selectPooledEpoch([{ distances: d0, loss: 0.3 }, { distances: better, loss: 0.1 }, { distances: moved, loss: 0.2 }], L).candidate).toBe(2);
    // identical pairs: the lower loss
    expect(selectPooledEpoch([{ distances: d0, loss: 0.3 }, { distances: better, loss: 0.2 }, { distances: better, loss: 0.1 }], L).candidate).toBe(2);
    expect(selectPooledEpoch([{ distances: d0, loss: 0.3 }, { distances: better, loss: 0.1 }, { distances: better, loss: 0.2 }], L).candidate).toBe(1);
    // epoch 0 alone
    const only = selectPooledEpoch([{ distances: d0, loss: 0.3 }], L);
    expect(only.chosen).toBe(0);
    expect(only.candidate).toBe(0);
  });

  it('is deterministic for a seed and throws typed errors', () => {
    const epochs = [{ distances: d0, loss: 0.3 }, { distances: noisy, loss: 0.3 }];
    expect(selectPooledEpoch(epochs, L, { keepBest: { seed: 4 } }).confidence).toBe(selectPooledEpoch(epochs, L, { keepBest: { seed: 4 } }).confidence);
    expect(() => selectPooledEpoch([], L)).toThrow(InvalidArgumentError);
    expect(() => selectPooledEpoch([{ distances: d0, loss: 0 }, { distances: d0.slice(1), loss: 0 }], L)).toThrow(InvalidArgumentError);
    expect(() => selectPooledEpoch([{ distances: d0, loss: 0 }], { a: L.a.slice(1), b: L.b })).toThrow(InvalidArgumentError);
    expect(() => selectPooledEpoch([{ distances: [0.1, 0.2], loss: 0 }], { a: [1, 2], b: [1, 2] })).toThrow(/both same-person and different-person/);
    expect(() => selectPooledEpoch(epochs, L, { targetFar: 0 })).toThrow(InvalidArgumentError);
    expect(() => selectPooledEpoch(epochs, L, { keepBest: { minConfidence: 1.5 } })).toThrow(InvalidArgumentError);
  });
});
