import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@likeness/backends';
import { rocCurve } from './roc-curve';
import { rocAuc } from './roc-auc';
import { equalErrorRate } from './equal-error-rate';
import { tarAtFar } from './tar-at-far';
import { accuracyAtThreshold, bestThreshold } from './threshold-accuracy';
import { verificationReport } from './verification-report';

function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}
/** Random distances: same pairs ~ lower; optionally rounded to force ties. */
function sample(seed: number, n: number, round?: number): { d: number[]; same: boolean[] } {
  const r = lcg(seed);
  const d: number[] = [];
  const same: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const s = r() < 0.25;
    let v = (s ? 0.4 : 0.8) + 0.3 * (r() + r() + r() - 1.5);
    if (round) v = Math.round(v * round) / round;
    d.push(v);
    same.push(s);
  }
  return { d, same };
}
// ---- brute force references (independent of the implementation) ----
function bruteAuc(d: number[], same: boolean[]): number {
  let u = 0, n = 0;
  d.forEach((dp, i) => {
    if (!same[i]) return;
    d.forEach((dn, j) => {
      if (same[j]) return;
      n++;
      u += dp < dn ? 1 : dp === dn ? 0.5 : 0;
    });
  });
  return u / n;
}
function rates(d: number[], same: boolean[], t: number) {
  let tp = 0, fp = 0, P = 0, N = 0;
  d.forEach((v, i) => {
    if (same[i]) { P++; if (v <= t) tp++; } else { N++; if (v <= t) fp++; }
  });
  return { tar: tp / P, far: fp / N, acc: (tp + N - fp) / (P + N), bal: (tp / P + (N - fp) / N) / 2 };
}
const candidates = (d: number[]) => [-Infinity, ...new Set(d)];

describe('calibration metrics against brute force', () => {
  for (const [name, round] of [['continuous', undefined], ['with many ties', 10]] as const) {
    const { d, same } = sample(name.length, 400, round);

    it(`AUC (${name}) equals the O(P·N) pair count with ties half`, () => {
      expect(rocAuc(d, same)).toBeCloseTo(bruteAuc(d, same), 12);
      // similarity = −distance gives the same AUC
      expect(rocAuc(d.map((v) => -v), same, { kind: 'similarity' })).toBeCloseTo(bruteAuc(d, same), 12);
    });

    it(`ROC (${name}) points match direct counting at each threshold`, () => {
      const roc = rocCurve(d, same);
      expect(roc.far[0]).toBe(0);
      expect(roc.tar.at(-1)).toBe(1);
      expect(roc.far.at(-1)).toBe(1);
      expect(roc.thresholds.length).toBe(new Set(d).size + 1);
      for (let i = 1; i < roc.thresholds.length; i++) {
        const r = rates(d, same, roc.thresholds[i]!);
        expect(roc.tar[i]).toBeCloseTo(r.tar, 12);
        expect(roc.far[i]).toBeCloseTo(r.far, 12);
      }
    });

    it(`TAR@FAR (${name}) is the best TAR of any threshold with FAR ≤ target`, () => {
      for (const target of [0, 1e-3, 1e-2, 0.1, 0.5]) {
        let best = 0;
        for (const t of candidates(d)) {
          const r = rates(d, same, t);
          if (r.far <= target && r.tar > best) best = r.tar;
        }
        const got = tarAtFar(d, same, target);
        expect(got.tar).toBeCloseTo(best, 12);
        expect(got.far).toBeLessThanOrEqual(target);
        const check = rates(d, same, got.threshold);
        expect(check.tar).toBeCloseTo(got.tar, 12);
      }
    });

    it(`EER (${name}) lies between the brute-force min-max and min-min error over thresholds`, () => {
      let minMax = 1;
      for (const t of candidates(d)) {
        const r = rates(d, same, t);
        minMax = Math.min(minMax, Math.max(r.far, 1 - r.tar));
      }
      const { eer } = equalErrorRate(d, same);
      expect(eer).toBeLessThanOrEqual(minMax + 1e-12);
      // the crossing is interpolated between neighbouring points, so it is at most one step below
      expect(eer).toBeGreaterThan(minMax - 0.05);
    });

    it(`best threshold (${name}) reaches the brute-force best accuracy and balanced accuracy`, () => {
      let bestAcc = 0, bestBal = 0;
      for (const t of candidates(d)) {
        const r = rates(d, same, t);
        bestAcc = Math.max(bestAcc, r.acc);
        bestBal = Math.max(bestBal, r.bal);
      }
      const a = bestThreshold(d, same);
      const b = bestThreshold(d, same, { criterion: 'balanced-accuracy' });
      expect(a.accuracy).toBeCloseTo(bestAcc, 12);
      expect(b.balancedAccuracy).toBeCloseTo(bestBal, 12);
      // the returned threshold reproduces the figure when applied
      expect(accuracyAtThreshold(d, same, a.threshold).accuracy).toBeCloseTo(bestAcc, 12);
      expect(accuracyAtThreshold(d, same, b.threshold).balancedAccuracy).toBeCloseTo(bestBal, 12);
      const r = rates(d, same, b.threshold);
      expect(accuracyAtThreshold(d, same, b.threshold).tar).toBeCloseTo(r.tar, 12);
    });
  }

  it('hand-computed: positives {1,3}, negatives {2,4}', () => {
    const d = [1, 3, 2, 4];
    const same = [true, true, false, false];
    expect(rocAuc(d, same)).toBe(0.75); // pairs (1<2,1<4,3>2,3<4) → 3/4
    expect(equalErrorRate(d, same).eer).toBe(0.5);
    expect(tarAtFar(d, same, 0.01).tar).toBe(0.5); // threshold 1 accepts only d=1
    expect(tarAtFar(d, same, 0.01).threshold).toBe(1);
    const r = accuracyAtThreshold(d, same, 3);
    expect([r.tp, r.fp, r.tn, r.fn]).toEqual([2, 1, 1, 0]);
    expect(r.accuracy).toBe(0.75);
    expect(r.balancedAccuracy).toBe(0.75);
    // all ties → AUC exactly one half, EER one half
    expect(rocAuc([1, 1, 1, 1], same)).toBe(0.5);
    expect(equalErrorRate([1, 1, 1, 1], same).eer).toBe(0.5);
    // perfectly separated → AUC 1, EER 0, TAR@FAR 1
    const sep = [0.1, 0.2, 0.9, 1.0];
    expect(rocAuc(sep, same)).toBe(1);
    expect(equalErrorRate(sep, same).eer).toBe(0);
    expect(tarAtFar(sep, same, 0).tar).toBe(1);
    expect(bestThreshold(sep, same).threshold).toBeCloseTo(0.55, 12);
  });

  it('similarity kind: accept when value ≥ threshold', () => {
    const p = [0.9, 0.7, 0.8, 0.1];
    const same = [1, 1, 0, 0];
    const r = accuracyAtThreshold(p, same, 0.75, { kind: 'similarity' });
    expect([r.tp, r.fp]).toEqual([1, 1]);
    expect(rocAuc(p, same, { kind: 'similarity' })).toBe(0.75);
    const rep = verificationReport(p, same, { kind: 'similarity' });
    expect(rep.auc).toBe(0.75);
    expect(rep.positives).toBe(2);
  });

  it('refuses NaN, length mismatch, one-class labels and bad options with typed errors', () => {
    const err = (f: () => unknown) => { try { f(); } catch (e) { return e; } return undefined; };
    const e1 = err(() => rocAuc([0.1, NaN], [true, false]));
    expect(InvalidArgumentError.isInstance(e1)).toBe(true);
    expect((e1 as Error).message).toMatch(/values\[1\].*NaN/);
    expect(() => rocAuc([0.1, 0.2], [true])).toThrowError(/one label per pair/);
    expect(() => equalErrorRate([0.1, 0.2], [true, true])).toThrowError(/different-person/);
    expect(() => tarAtFar([0.1, 0.2], [true, false], 2)).toThrowError(/targetFar/);
    expect(() => rocCurve([0.1, 0.2], [true, 'x' as unknown as boolean])).toThrowError(/same\[1\]/);
    expect(() => bestThreshold([0.1, 0.2], [1, 0], { criterion: 'f1' as 'accuracy' })).toThrowError(/criterion/);
    expect(() => rocAuc([0.1, 0.2], [1, 0], { kind: 'prob' as 'distance' })).toThrowError(/kind/);
  });
});
