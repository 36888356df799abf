import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@likeness/backends';
import { equalErrorRate } from '@likeness/embeddings';
import { bootstrapEerImprovement, resolveKeepBest, weightedEqualErrorRate, validationScoreBetter } from './keep-best-guard';

/** A small LCG for the hand-built cases (independent of the module's generator). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

/** All pairs of `people` × `per` images: the pair labels and a distance per pair from `pos(i)` / `neg(i)`. */
function pairs(people: number, per: number, pos: (r: () => number, person: number) => number, neg: (r: () => number) => number, seed = 1) {
  const r = lcg(seed);
  const lab: number[] = [];
  for (let p = 0; p < people; p++) for (let i = 0; i < per; i++) lab.push(p);
  const a: number[] = [], b: number[] = [], d: number[] = [];
  for (let i = 0; i < lab.length; i++) for (let j = i + 1; j < lab.length; j++) {
    a.push(lab[i]!); b.push(lab[j]!);
    d.push(lab[i] === lab[j] ? pos(r, lab[i]!) : neg(r));
  }
  return { labels: { a, b }, d, same: a.map((x, i) => (x === b[i] ? 1 : 0)) };
}

describe('weightedEqualErrorRate', () => {
  it('equals equalErrorRate with unit weights (ties included) and replicating pairs with integer weights', () => {
    const r = lcg(3);
    const d = Array.from({ length: 200 }, () => Math.round(r() * 40) / 40); // many ties
    const same = d.map((v) => (r() < 0.3 + 0.4 * (1 - v) ? 1 : 0));
    expect(weightedEqualErrorRate(d, same, d.map(() => 1))).toBeCloseTo(equalErrorRate(d, same).eer, 10);
    const w = d.map(() => Math.floor(r() * 3)); // 0, 1 or 2 copies
    const dd: number[] = [], ss: number[] = [];
    d.forEach((v, i) => { for (let k = 0; k < w[i]!; k++) { dd.push(v); ss.push(same[i]!); } });
    expect(weightedEqualErrorRate(d, same, w)).toBeCloseTo(equalErrorRate(dd, ss).eer, 10);
    // hand-computed: positives at 0.1, 0.5; negatives at 0.3, 0.9 → FAR = FRR = ½ between 0.3 and 0.5... crossing at ½
    expect(weightedEqualErrorRate([0.1, 0.5, 0.3, 0.9], [1, 1, 0, 0], [1, 1, 1, 1])).toBeCloseTo(0.5, 12);
    expect(weightedEqualErrorRate([0.1, 0.2], [1, 1], [1, 1])).toBeNaN();
  });
});

describe('bootstrapEerImprovement (the keep-best guard)', () => {
  // 6 validation people × 5 images, as in the ORL fine-tuning runs (6 people)
  const base = pairs(6, 5, (r) => 0.3 + 0.4 * r(), (r) => 0.5 + 0.4 * r());

  it('accepts a clearly better candidate (separable pairs), by identity and by pair', () => {
    const good = pairs(6, 5, (r) => 0.1 + 0.3 * r(), (r) => 0.6 + 0.4 * r(), 2);
    expect(good.labels).toEqual(base.labels);
    for (const unit of ['identity', 'pair'] as const) {
      const res = bootstrapEerImprovement(base.d, good.d, base.labels, { unit, resamples: 500, seed: 1 });
      expect(res.candidateEer).toBe(0);
      expect(res.baselineEer).toBeGreaterThan(0.1);
      expect(res.confidence).toBeGreaterThan(0.99); // a resample can leave the baseline separable too (few people drawn)
      expect(res.accepted).toBe(true);
    }
  });

  it('rejects a noise-level gain: one person\'s pairs slightly closer lowers the point EER, but not in ≥ 95 % of identity resamples', () => {
    // the candidate equals the baseline except person 3's same-person pairs, moved 0.05 closer
    const cand = base.d.map((v, i) => (base.labels.a[i] === 3 && base.labels.b[i] === 3 ? v - 0.05 : v));
    const res = bootstrapEerImprovement(base.d, cand, base.labels, { seed: 7 });
    expect(res.candidateEer).toBeLessThan(res.baselineEer); // point estimate: better
    // person 3 is missing from a resample of 6 with probability (5/6)^6 ≈ 0.33: then both EERs are equal
    expect(res.confidence).toBeGreaterThan(0.5);
    expect(res.confidence).toBeLessThan(0.8);
    expect(res.accepted).toBe(false);
    // the guard off: any point gain passes
    expect(bootstrapEerImprovement(base.d, cand, base.labels, { seed: 7, minConfidence: 0 }).accepted).toBe(true);
  });

  it('rejects a worse candidate and an identical one', () => {
    const worse = pairs(6, 5, (r) => 0.4 + 0.4 * r(), (r) => 0.45 + 0.4 * r(), 5);
    const res = bootstrapEerImprovement(base.d, worse.d, base.labels, { seed: 3 });
    expect(res.candidateEer).toBeGreaterThan(res.baselineEer);
    expect(res.confidence).toBeLessThan(0.05);
    expect(res.accepted).toBe(false);
    const same = bootstrapEerImprovement(base.d, base.d, base.labels, { seed: 3 });
    expect(same.confidence).toBe(0);
    expect(same.accepted).toBe(false);
  });

  it('is deterministic for a seed and the confidence follows the seed', () => {
    const cand = base.d.map((v, i) => (base.labels.a[i] === base.labels.b[i] && base.labels.a[i]! < 2 ? v - 0.1 : v));
    const run = (seed: number) => bootstrapEerImprovement(base.d, cand, base.labels, { seed, resamples: 300 }).confidence;
    expect(run(11)).toBe(run(11));
    const seen = new Set([11, 12, 13, 14].map(run));
    expect(seen.size).toBeGreaterThan(1);
  });

  it('throws typed errors on bad options and mismatched lengths', () => {
    const bad = (o: object) => () => bootstrapEerImprovement(base.d, base.d, base.labels, o);
    expect(bad({ minConfidence: 1.5 })).toThrow(InvalidArgumentError);
    expect(bad({ resamples: 0 })).toThrow(InvalidArgumentError);
    expect(bad({ unit: 'image' })).toThrow(InvalidArgumentError);
    expect(bad({ seed: 0.5 })).toThrow(InvalidArgumentError);
    expect(() => bootstrapEerImprovement(base.d, base.d.slice(1), base.labels)).toThrow(InvalidArgumentError);
    expect(resolveKeepBest(undefined, 'f', 4)).toEqual({ minConfidence: 0.95, resamples: 1000, unit: 'identity', seed: 4 });
  });
});

describe('validationScoreBetter', () => {
  it('orders by EER, then by validation loss on equal EER', () => {
    expect(validationScoreBetter({ eer: 0.01, loss: 5 }, { eer: 0.02, loss: 1 })).toBe(true);
    expect(validationScoreBetter({ eer: 0.02, loss: 1 }, { eer: 0.01, loss: 5 })).toBe(false);
    expect(validationScoreBetter({ eer: 0.01, loss: 1 }, { eer: 0.01, loss: 2 })).toBe(true);
    expect(validationScoreBetter({ eer: 0.01, loss: 2 }, { eer: 0.01, loss: 2 })).toBe(false);
  });
});
