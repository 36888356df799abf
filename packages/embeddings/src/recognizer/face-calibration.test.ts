import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import {
  calibrateFaceThreshold, calibrationFromDistances, confidenceFromDistance, DEFAULT_FACE_CALIBRATION, parseFaceCalibration,
} from './face-calibration';

beforeAll(async () => {
  await useBackend('cpu');
});

/** The class-balanced log loss of σ(−slope·(d − midpoint)) plus the fit's ridge of 1e-6·slope²/2, in float64. */
function loss(d: number[], same: boolean[], midpoint: number, slope: number): number {
  let lp = 0, ln = 0, np = 0, nn = 0;
  d.forEach((x, i) => {
    const p = 1 / (1 + Math.exp(slope * (x - midpoint)));
    if (same[i]) { lp -= Math.log(p); np++; } else { ln -= Math.log(1 - p); nn++; }
  });
  return lp / np / 2 + ln / nn / 2 + 0.5e-6 * slope * slope;
}

describe('face calibration', () => {
  it('picks the threshold that holds the target FAR (hand-computed) and fits the confidence curve', () => {
    // same: 0.30 0.35 0.40 0.55; different: 0.50 0.70 0.80 0.90 1.00 ×2 (10 pairs)
    const d = [0.3, 0.35, 0.4, 0.55, 0.5, 0.7, 0.8, 0.9, 1.0, 1.0, 1.1, 1.2, 1.3, 1.4];
    const same = d.map((_, i) => i < 4);
    // FAR ≤ 0.1 allows 1 of 10 different pairs (0.5): 0.55 accepts all 4 same pairs, 0.7 is the next
    // observed distance; the threshold goes midway, (0.55 + 0.7) / 2
    const c = calibrationFromDistances(d, same, { targetFar: 0.1 });
    expect(c.threshold).toBeCloseTo(0.625, 12);
    expect(c.far).toBeCloseTo(0.1, 12);
    expect(c.tar).toBe(1);
    // FAR ≤ 0.05 allows none: 0.4 is the last accepted (3 of 4 same pairs), 0.5 the first rejected
    const strict = calibrationFromDistances(d, same, { targetFar: 0.05 });
    expect(strict.threshold).toBeCloseTo(0.45, 12);
    expect(strict.tar).toBeCloseTo(0.75, 12);
    expect(c.pairs).toEqual({ same: 4, different: 10 });
    // the fit is the minimum of the balanced log loss: no neighbour on a fine grid is lower
    const best = loss(d, same, c.logistic.midpoint, c.logistic.slope);
    for (const dm of [-0.01, 0, 0.01]) for (const ds of [-0.05, 0, 0.05]) {
      expect(loss(d, same, c.logistic.midpoint + dm, c.logistic.slope + ds)).toBeGreaterThanOrEqual(best - 1e-12);
    }
    expect(c.logistic.slope).toBeGreaterThan(0);
    expect(confidenceFromDistance(c, 0.2)).toBeGreaterThan(0.9);
    expect(confidenceFromDistance(c, 1.4)).toBeLessThan(0.1);
    expect(confidenceFromDistance(c, c.logistic.midpoint)).toBeCloseTo(0.5, 12);
    expect(confidenceFromDistance(c, Infinity)).toBe(0);
  });

  /** FAR and TAR of `distance ≤ threshold`, counted directly. */
  function rates(d: number[], same: boolean[], threshold: number) {
    let fa = 0, ta = 0, nd = 0, ns = 0;
    d.forEach((x, i) => { if (same[i]) { ns++; if (x <= threshold) ta++; } else { nd++; if (x <= threshold) fa++; } });
    return { far: fa / nd, tar: ta / ns };
  }

  it('margin rule: the threshold lies midway between observed distances, with the FAR/TAR stated (hand-computed)', () => {
    const cases: { name: string; d: number[]; same: boolean[]; targetFar: number; threshold: number; far: number; tar: number }[] = [
      // one pair of each kind
      { name: 'single pairs', d: [0.3, 0.8], same: [true, false], targetFar: 0.5, threshold: 0.55, far: 0, tar: 1 },
      // a tie across the classes at 0.5: accepting 0.5 would accept the different pair too, so both are rejected
      { name: 'tie across classes', d: [0.2, 0.5, 0.5, 0.9], same: [true, true, false, false], targetFar: 0.4, threshold: 0.35, far: 0, tar: 0.5 },
      // the same tie with FAR ≤ 0.5 allowed: 0.5 accepted (1 of 2 different), the next observed is 0.9
      { name: 'tie accepted', d: [0.2, 0.5, 0.5, 0.9], same: [true, true, false, false], targetFar: 0.5, threshold: 0.7, far: 0.5, tar: 1 },
      // ties within the accepted class count once: 0.3 ×3 accepted, next observed 0.6
      { name: 'tie within a class', d: [0.3, 0.3, 0.3, 0.6, 0.6, 1], same: [true, true, true, false, false, false], targetFar: 0.1, threshold: 0.45, far: 0, tar: 1 },
      // every pair at one distance: nothing can be accepted; midway between 0 and 0.5
      { name: 'all pairs equal', d: [0.5, 0.5, 0.5, 0.5], same: [true, true, false, false], targetFar: 0.1, threshold: 0.25, far: 0, tar: 0 },
      // the smallest distance is a different pair: nothing accepted, half of it
      { name: 'impostor closest', d: [0.4, 0.2, 0.9], same: [true, false, false], targetFar: 0.1, threshold: 0.1, far: 0, tar: 0 },
      // a same-person pair beyond the first rejected different pair stays rejected
      { name: 'interleaved', d: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], same: [true, false, true, false, true, false], targetFar: 0.34, threshold: 0.35, far: 1 / 3, tar: 2 / 3 },
    ];
    for (const k of cases) {
      const c = calibrationFromDistances(k.d, k.same, { targetFar: k.targetFar });
      expect(c.threshold, k.name).toBeCloseTo(k.threshold, 12);
      expect(c.far, k.name).toBeCloseTo(k.far, 12);
      expect(c.tar, k.name).toBeCloseTo(k.tar, 12);
      // the stated rates are those of the threshold itself, and it sits on no observed distance
      const r = rates(k.d, k.same, c.threshold);
      expect(r.far, k.name).toBeCloseTo(c.far, 12);
      expect(r.tar, k.name).toBeCloseTo(c.tar, 12);
      expect(k.d.every((x) => x !== c.threshold), k.name).toBe(true);
      expect(Number.isFinite(c.logistic.midpoint) && Number.isFinite(c.logistic.slope), k.name).toBe(true);
      expect(parseFaceCalibration(JSON.parse(JSON.stringify(c))), k.name).toEqual(c);
    }
  });

  it('margin rule: a float32 copy of every distance keeps each pair on its side (random pairs, brute force)', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let trial = 0; trial < 20; trial++) {
      const d: number[] = [], same: boolean[] = [];
      for (let i = 0; i < 300; i++) { const s = i < 60; same.push(s); d.push(s ? 0.2 + 0.4 * rand() : 0.45 + 0.6 * rand()); }
      const c = calibrationFromDistances(d, same, { targetFar: 0.01 });
      // the best threshold by brute force over every observed distance: the highest TAR with FAR ≤ 0.01
      let best = { tar: -1, far: 0 };
      for (const t of [-1, ...d]) { const r = rates(d, same, t); if (r.far <= 0.01 && r.tar > best.tar) best = r; }
      expect(c.tar).toBeCloseTo(best.tar, 12);
      const f32 = d.map((x) => Math.fround(x));
      expect(rates(f32, same, c.threshold)).toEqual(rates(d, same, c.threshold));
    }
  });

  it('margin rule: different-person pairs at distance 0 that targetFar cannot allow are a typed error', () => {
    expect(() => calibrationFromDistances([0, 0.3], [false, true], { targetFar: 0.1 })).toThrowError(/distance 0[\s\S]*targetFar/);
    // allowed by targetFar: accepted, the threshold goes midway to 0.3
    expect(calibrationFromDistances([0, 0.3, 0.8], [false, true, false], { targetFar: 0.5 }).threshold).toBeCloseTo(0.55, 12);
  });

  it('symmetric classes put the confidence midpoint halfway between them', () => {
    const d = [0.2, 0.4, 0.6, 0.8, 0.5, 0.7, 0.9, 1.1]; // different = same + 0.3, mirrored about 0.65
    const same = d.map((_, i) => i < 4);
    const c = calibrationFromDistances(d, same, { targetFar: 0.3 });
    expect(c.logistic.midpoint).toBeCloseTo(0.65, 6);
  });

  it('calibrateFaceThreshold scores every pair of labelled descriptors with plain L2 (brute force check)', async () => {
    const e = [[0, 0], [0, 0.3], [1, 0], [1, 0.4], [3, 0]];
    const labels = ['a', 'a', 'b', 'b', 'c'];
    const c = calibrateFaceThreshold(e, labels, { targetFar: 0.5 });
    // pairs: same a–a 0.3, b–b 0.4; the 8 different pairs have distances ≥ 0.9055 (a1–b2: √(1 + 0.01))
    const diffs: number[] = [];
    for (let i = 0; i < 5; i++) for (let j = i + 1; j < 5; j++) if (labels[i] !== labels[j]) diffs.push(Math.hypot(e[i]![0]! - e[j]![0]!, e[i]![1]! - e[j]![1]!));
    diffs.sort((x, y) => x - y);
    expect(c.pairs).toEqual({ same: 2, different: 8 });
    expect(c.threshold).toBeCloseTo((diffs[3]! + diffs[4]!) / 2, 6); // FAR 4/8 = 0.5, midway to the 5th
    expect(c.source).toMatch(/5 faces of 3 people/);
    const t = tf.tensor2d(e);
    await expectNoLeaks(() => calibrateFaceThreshold(t as tf.Tensor2D, labels));
    expect(calibrateFaceThreshold(t as tf.Tensor2D, labels).threshold).toBeCloseTo(calibrateFaceThreshold(e, labels).threshold, 6);
    t.dispose();
  });

  it('round-trips through JSON and refuses damaged objects naming the field', () => {
    const c = calibrationFromDistances([0.3, 0.4, 0.9, 1], [true, true, false, false], { targetFar: 0.2, source: 'test' });
    expect(parseFaceCalibration(JSON.parse(JSON.stringify(c)))).toEqual(c);
    expect(parseFaceCalibration(JSON.parse(JSON.stringify(DEFAULT_FACE_CALIBRATION)))).toEqual(DEFAULT_FACE_CALIBRATION);
    const broken = { ...c, threshold: -1 };
    expect(() => parseFaceCalibration(broken)).toThrowError(/value\.threshold/);
    expect(() => parseFaceCalibration({ ...c, version: 2 })).toThrowError(/value\.version/);
    expect(() => parseFaceCalibration({ ...c, logistic: { midpoint: 'x' } })).toThrowError(/value\.logistic/);
    expect(() => parseFaceCalibration(null)).toThrowError(InvalidArgumentError);
  });

  it('refuses unusable input with typed errors', () => {
    expect(() => calibrationFromDistances([0.1, 0.2], [true, true])).toThrowError(/same-person and different-person/);
    expect(() => calibrationFromDistances([0.1, NaN], [true, false])).toThrowError(/distances\[1\]/);
    expect(() => calibrationFromDistances([0.1, 0.2], [true])).toThrowError(InvalidArgumentError);
    expect(() => calibrationFromDistances([0.1, 0.2], [true, false], { targetFar: 0 })).toThrowError(/targetFar/);
    expect(() => calibrateFaceThreshold([[0, 1]], ['a'])).toThrowError(/at least two/);
    expect(() => calibrateFaceThreshold([[0, 1], [1]], ['a', 'b'])).toThrowError(/embeddings\[1\]/);
    expect(() => calibrateFaceThreshold([[0, 1], [1, 1]], ['a', ''])).toThrowError(/labels/);
  });
});
