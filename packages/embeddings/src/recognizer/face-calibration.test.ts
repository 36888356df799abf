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
    // FAR ≤ 0.1 allows 1 of 10 different pairs (0.5): threshold 0.55 accepts all 4 same pairs
    const c = calibrationFromDistances(d, same, { targetFar: 0.1 });
    expect(c.threshold).toBeCloseTo(0.55, 12);
    expect(c.far).toBeCloseTo(0.1, 12);
    expect(c.tar).toBe(1);
    // FAR ≤ 0.05 allows none: threshold 0.4 (3 of 4 same pairs)
    const strict = calibrationFromDistances(d, same, { targetFar: 0.05 });
    expect(strict.threshold).toBeCloseTo(0.4, 12);
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
    expect(c.threshold).toBeCloseTo(diffs[3]!, 6); // FAR 4/8 = 0.5
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
