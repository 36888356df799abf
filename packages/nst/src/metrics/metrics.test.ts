import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@likeness/backends/cpu';
import { InvalidArgumentError, ShapeError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { luminanceSpectrum } from './luminance-spectrum';
import { labFrechetDistance } from './lab-frechet-distance';
import { meanChroma } from './mean-chroma';
import { sphereDirections as sliceDirectionsForTest, slicedWassersteinDistance } from './sliced-wasserstein-distance';

beforeAll(async () => {
  await useBackend('cpu');
});

/** mulberry32: a seeded uniform generator for the synthetic images. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A grey [1,h,w,3] image from luminance values (R = G = B = v). */
function grey(v: ArrayLike<number>, h: number, w: number): tf.Tensor4D {
  const d = new Float32Array(h * w * 3);
  for (let i = 0; i < h * w; i++) d[3 * i] = d[3 * i + 1] = d[3 * i + 2] = v[i]!;
  return tf.tensor4d(d, [1, h, w, 3]);
}

function noise(h: number, w: number, seed: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: h * w }, () => r());
}

/** Box blur of radius `k` (wrap-around), brute force. */
function blur(v: Float64Array, h: number, w: number, k: number): Float64Array {
  const out = new Float64Array(h * w);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let dy = -k; dy <= k; dy++) for (let dx = -k; dx <= k; dx++) s += v[((y + dy + h) % h) * w + ((x + dx + w) % w)]!;
      out[y * w + x] = s / (2 * k + 1) ** 2;
    }
  return out;
}

/** A field with power ∝ f^-beta: a sum of cosines over every frequency pair with random phases, summed directly. */
function powerLawField(n: number, beta: number, seed: number): Float64Array {
  const r = rng(seed);
  const v = new Float64Array(n * n);
  for (let ky = 0; ky < n; ky++)
    for (let kx = 0; kx <= n / 2; kx++) {
      const fy = (ky <= n / 2 ? ky : ky - n) / n;
      const f = Math.hypot(kx / n, fy);
      if (f === 0 || f > 0.5) continue;
      const amp = f ** (-beta / 2);
      const phase = 2 * Math.PI * r();
      for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) v[y * n + x] += amp * Math.cos(2 * Math.PI * ((kx * x) / n + (fy * n * y) / n) + phase);
    }
  const max = v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  return v.map((x) => 0.5 + (0.4 * x) / max);
}

describe('luminanceSpectrum', () => {
  it('puts a pure sinusoid at its frequency', async () => {
    const n = 64;
    const v = Float64Array.from({ length: n * n }, (_, i) => 0.5 + 0.4 * Math.sin((2 * Math.PI * (i % n)) / 8));
    const img = grey(v, n, n);
    const s = await luminanceSpectrum(img, { cutoff: 1 / 16 });
    const peak = s.power.indexOf(Math.max(...s.power));
    expect(s.frequency[peak]).toBeCloseTo(1 / 8, 10);
    // All of its power is above 1/16 cycles/px, none above 1/4.
    expect(s.highFrequencyFraction).toBeGreaterThan(0.99);
    expect((await luminanceSpectrum(img, { cutoff: 1 / 4 })).highFrequencyFraction).toBeLessThan(0.01);
    img.dispose();
  });

  it('gives white noise a flat spectrum and the area fraction 1 − π·c² above c', async () => {
    const n = 128;
    const img = grey(noise(n, n, 1), n, n);
    const s = await luminanceSpectrum(img, { cutoff: 1 / 8, band: [1 / 32, 0.4] });
    expect(Math.abs(s.slope)).toBeLessThan(0.1);
    expect(s.highFrequencyFraction).toBeCloseTo(1 - Math.PI / 64, 2);
    img.dispose();
  });

  it('fits the exponent of a power-law field', async () => {
    for (const beta of [1, 2.5]) {
      const n = 128;
      const img = grey(powerLawField(n, beta, 7), n, n);
      const s = await luminanceSpectrum(img, { band: [1 / 32, 1 / 4] });
      expect(s.slope).toBeGreaterThan(-beta - 0.15);
      expect(s.slope).toBeLessThan(-beta + 0.15);
      img.dispose();
    }
  });

  it('ranks blurred noise below sharp noise (steeper, less fine-grain power)', async () => {
    const n = 64;
    const v = noise(n, n, 3);
    const sharp = grey(v, n, n);
    const soft = grey(blur(v, n, n, 2), n, n);
    const a = await luminanceSpectrum(sharp);
    const b = await luminanceSpectrum(soft);
    expect(b.highFrequencyFraction).toBeLessThan(a.highFrequencyFraction / 2);
    expect(b.slope).toBeLessThan(a.slope - 1);
    tf.dispose([sharp, soft]);
  });

  it('does not depend on contrast or on the mean', async () => {
    const n = 32;
    const v = noise(n, n, 5);
    const a = grey(v, n, n);
    const b = grey(v.map((x) => 0.2 + 0.5 * x), n, n);
    const sa = await luminanceSpectrum(a);
    const sb = await luminanceSpectrum(b);
    expect(sb.slope).toBeCloseTo(sa.slope, 6);
    expect(sb.highFrequencyFraction).toBeCloseTo(sa.highFrequencyFraction, 6);
    tf.dispose([a, b]);
  });

  it('refuses bad input with typed errors and leaks nothing', async () => {
    const img = tf.zeros([1, 8, 8, 3]) as tf.Tensor4D;
    await expect(luminanceSpectrum(tf.zeros([8, 8, 3]))).rejects.toSatisfy((e) => ShapeError.isInstance(e) && e.argument === 'image');
    await expect(luminanceSpectrum(img, { cutoff: 0.7 })).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e) && e.argument === 'options.cutoff');
    await expect(luminanceSpectrum(img, { band: [0.3, 0.1] })).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e) && e.argument === 'options.band');
    const nan = tf.fill([1, 8, 8, 3], NaN) as tf.Tensor4D;
    await expect(luminanceSpectrum(nan)).rejects.toThrow(/NaN/);
    await expectNoLeaks(() => luminanceSpectrum(img));
    tf.dispose([img, nan]);
  });
});

describe('labFrechetDistance', () => {
  /** L* of a neutral grey with sRGB value v (independent: Y is the linearised value itself). */
  const lStar = (v: number) => {
    const y = v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    return y > (6 / 29) ** 3 ? 116 * Math.cbrt(y) - 16 : (29 / 3) ** 3 * y;
  };

  it('is zero for the same statistics and the 1-D Gaussian formula for greys', async () => {
    const n = 32;
    const va = noise(n, n, 11);
    const vb = noise(n, n, 12).map((x) => 0.2 + 0.6 * x);
    const a = grey(va, n, n);
    const b = grey(vb, n, n);
    const shuffled = grey([...va].reverse(), n, n);
    expect(await labFrechetDistance(a, shuffled)).toBeLessThan(1e-3);
    // Greys have a* = b* = 0: (ΔμL)² + (σ₁ − σ₂)², computed here from L* directly.
    const stats = (v: Float64Array) => {
      const l = Array.from(v, (x) => lStar(Math.fround(x)));
      const m = l.reduce((s, x) => s + x, 0) / l.length;
      return { m, sd: Math.sqrt(l.reduce((s, x) => s + (x - m) ** 2, 0) / l.length) };
    };
    const sa = stats(va);
    const sb = stats(vb);
    const expected = Math.sqrt((sa.m - sb.m) ** 2 + (sa.sd - sb.sd) ** 2);
    expect(await labFrechetDistance(a, b)).toBeCloseTo(expected, 1);
    tf.dispose([a, b, shuffled]);
  });

  it('measures pure red at its L*a*b* distance from black', async () => {
    const red = tf.tensor4d([1, 0, 0, 1, 0, 0], [1, 1, 2, 3]);
    const black = tf.zeros([1, 2, 1, 3]) as tf.Tensor4D;
    // sRGB red = L*a*b* (53.24, 80.09, 67.20); black = (0, 0, 0).
    expect(await labFrechetDistance(red, black)).toBeCloseTo(Math.hypot(53.24, 80.09, 67.2), 0);
    await expectNoLeaks(() => labFrechetDistance(red, black));
    await expect(labFrechetDistance(red, tf.zeros([1, 2, 2]))).rejects.toSatisfy((e) => ShapeError.isInstance(e) && e.argument === 'b');
    tf.dispose([red, black]);
  });
});

describe('meanChroma', () => {
  it('is 0 for greys and the chroma of a flat colour', async () => {
    const n = 8;
    const g = grey(noise(n, n, 2), n, n);
    expect(await meanChroma(g)).toBeLessThan(0.01);
    const red = tf.tensor4d([1, 0, 0, 1, 0, 0], [1, 1, 2, 3]);
    expect(await meanChroma(red)).toBeCloseTo(Math.hypot(80.09, 67.2), 0);
    await expectNoLeaks(() => meanChroma(red));
    tf.dispose([g, red]);
  });
});

describe('slicedWassersteinDistance', () => {
  it('is zero for a permutation of the pixels and |v|·√(mean cos²) ≈ |v|/√3 for a colour shift v', async () => {
    const n = 16;
    const r = rng(4);
    const d = Float32Array.from({ length: n * n * 3 }, () => 0.2 + 0.6 * r());
    const a = tf.tensor4d(d, [1, n, n, 3]);
    // Reverse the pixel order (whole triples).
    const rev = new Float32Array(d.length);
    for (let i = 0; i < n * n; i++) rev.set(d.subarray(3 * i, 3 * i + 3), 3 * (n * n - 1 - i));
    const b = tf.tensor4d(rev, [1, n, n, 3]);
    expect(await slicedWassersteinDistance(a, b)).toBeLessThan(1e-9);
    const v = [0.1, -0.05, 0.02];
    const shifted = tf.tensor4d(d.map((x, i) => x + v[i % 3]!), [1, n, n, 3]);
    const exact = Math.sqrt(sliceDirectionsForTest(64).reduce((s, [x, y, z]) => s + (x * v[0]! + y * v[1]! + z * v[2]!) ** 2, 0) / 64);
    const got = await slicedWassersteinDistance(a, shifted);
    expect(got).toBeCloseTo(exact, 6); // float32 pixels
    expect(got).toBeCloseTo(Math.hypot(...v) / Math.sqrt(3), 3);
    tf.dispose([a, b, shifted]);
  });

  it('compares images of different sizes, refuses bad options and leaks nothing', async () => {
    const a = tf.fill([1, 4, 4, 3], 0.25) as tf.Tensor4D;
    const b = tf.fill([1, 3, 5, 3], 0.75) as tf.Tensor4D;
    // Every projection of two single colours differs by θ·(0.5,0.5,0.5): √(mean (0.5·Σθ)²).
    expect(await slicedWassersteinDistance(a, b, { projections: 1 })).toBeCloseTo(Math.abs(0.5 * sliceDirectionsForTest(1)[0]!.reduce((s, x) => s + x, 0)), 12);
    await expect(slicedWassersteinDistance(a, b, { projections: 0 })).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e) && e.argument === 'options.projections');
    await expectNoLeaks(() => slicedWassersteinDistance(a, b));
    tf.dispose([a, b]);
  });
});
