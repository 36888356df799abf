import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { colorMoments, symmetricEigen3, transferColors } from './color';

beforeAll(async () => {
  await useBackend('cpu');
});

/** Mean and covariance of interleaved RGB pixels, by plain loops (independent of the code under test). */
function moments(px: ArrayLike<number>): { mean: number[]; cov: number[][] } {
  const n = px.length / 3;
  const mean = [0, 0, 0];
  for (let p = 0; p < n; p++) for (let i = 0; i < 3; i++) mean[i]! += px[p * 3 + i]! / n;
  const cov = [0, 1, 2].map(() => [0, 0, 0]);
  for (let p = 0; p < n; p++) for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) cov[i]![j]! += ((px[p * 3 + i]! - mean[i]!) * (px[p * 3 + j]! - mean[j]!)) / n;
  return { mean, cov };
}

/** A [1,h,w,3] image with correlated channels, values inside [lo, lo + span]. */
function image(h: number, w: number, seed: number, lo = 0.3, span = 0.4): tf.Tensor4D {
  return tf.tidy(() => {
    const u = tf.randomUniform([1, h, w, 3], 0, 1, 'float32', seed);
    const mixed = tf.matMul(tf.reshape(u, [-1, 3]), tf.tensor2d([[0.6, 0.3, 0.1], [0.1, 0.7, 0.2], [0.3, 0.1, 0.6]]));
    return tf.add(tf.mul(tf.reshape(mixed, [1, h, w, 3]), span), lo) as tf.Tensor4D;
  });
}

describe('symmetricEigen3', () => {
  it('returns orthonormal eigenvectors that rebuild the matrix', () => {
    const a = [
      [4, 1, -2],
      [1, 3, 0.5],
      [-2, 0.5, 5],
    ];
    const { values, vectors: v } = symmetricEigen3(a);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const rebuilt = values.reduce((s, l, k) => s + v[i]![k]! * l * v[j]![k]!, 0);
        expect(rebuilt).toBeCloseTo(a[i]![j]!, 10);
        const dot = v[0]![i]! * v[0]![j]! + v[1]![i]! * v[1]![j]! + v[2]![i]! * v[2]![j]!;
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 10);
      }
    }
    // trace and determinant are preserved
    expect(values.reduce((s, l) => s + l, 0)).toBeCloseTo(12, 10);
  });
});

describe('colorMoments', () => {
  it('pools the mean and covariance of several images by weight, as if their pixels were one weighted sample', () => {
    const a = image(6, 5, 1);
    const b = image(4, 4, 2, 0.1, 0.8);
    const got = colorMoments([a, b], [3, 1]);
    // Weighted pooling ≡ one image made of a's pixels with weight 3/4 and b's with 1/4.
    const ma = moments(a.dataSync());
    const mb = moments(b.dataSync());
    for (let i = 0; i < 3; i++) {
      const mean = 0.75 * ma.mean[i]! + 0.25 * mb.mean[i]!;
      expect(got.mean[i]).toBeCloseTo(mean, 5);
      for (let j = 0; j < 3; j++) {
        const second = 0.75 * (ma.cov[i]![j]! + ma.mean[i]! * ma.mean[j]!) + 0.25 * (mb.cov[i]![j]! + mb.mean[i]! * mb.mean[j]!);
        expect(got.cov[i]![j]).toBeCloseTo(second - mean * (0.75 * ma.mean[j]! + 0.25 * mb.mean[j]!), 5);
      }
    }
    tf.dispose([a, b]);
  });
});

describe('transferColors', () => {
  it("gives the image the target's mean and covariance (no clipping) and leaks nothing", async () => {
    const src = image(10, 12, 3);
    const tgtImage = image(8, 8, 4, 0.35, 0.3);
    const target = moments(tgtImage.dataSync());
    await expectNoLeaks(() => transferColors(src, target));
    const out = transferColors(src, target);
    const px = out.dataSync();
    expect(Math.min(...px)).toBeGreaterThan(0);
    expect(Math.max(...px)).toBeLessThan(1);
    const got = moments(px);
    for (let i = 0; i < 3; i++) {
      expect(got.mean[i]).toBeCloseTo(target.mean[i]!, 4);
      for (let j = 0; j < 3; j++) expect(got.cov[i]![j]).toBeCloseTo(target.cov[i]![j]!, 4);
    }
    tf.dispose([src, tgtImage, out]);
  });

  it("is the identity for the image's own moments", () => {
    const src = image(7, 9, 5);
    const out = transferColors(src, moments(src.dataSync()));
    const a = src.dataSync();
    const b = out.dataSync();
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i]!, 3);
    tf.dispose([src, out]);
  });
});
