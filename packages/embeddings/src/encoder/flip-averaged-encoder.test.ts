import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, ShapeError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import type { Encoder } from '../encoder';
import { createCompactEncoder } from './compact-encoder';
import { flipAveragedEncoder } from './flip-averaged-encoder';

beforeAll(async () => {
  await useBackend('cpu');
});

const H = 3, W = 4, C = 2, D = 5;
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5;
}
const rnd = lcg(7);
const pixels = Array.from({ length: 2 * H * W * C }, () => rnd() + 0.5); // 2 images
const matrix = Array.from({ length: H * W * C * D }, () => rnd());

/** A linear encoder e(x) = vec(x)·M (so the expected average can be computed by hand), optionally unit-length. */
function linearEncoder(normalized: boolean): Encoder & { m: tf.Variable } {
  const m = tf.variable(tf.tensor2d(matrix, [H * W * C, D]), true);
  return {
    inputShape: [H, W, C], embeddingSize: D, normalized, m,
    encode: (x) => tf.tidy(() => {
      const e = tf.matMul(tf.reshape(x, [x.shape[0], -1]), m) as tf.Tensor2D;
      return normalized ? (tf.div(e, tf.norm(e, 'euclidean', 1, true)) as tf.Tensor2D) : e;
    }),
    trainableVariables: () => [m],
    dispose: () => m.dispose(),
  };
}

/** Plain-JS e(x) = vec(x)·M of image `i`, mirrored or not. */
function byHand(i: number, mirror: boolean): number[] {
  const out = new Array<number>(D).fill(0);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < C; c++) {
    const src = i * H * W * C + (y * W + (mirror ? W - 1 - x : x)) * C + c;
    const row = (y * W + x) * C + c;
    for (let d = 0; d < D; d++) out[d]! += pixels[src]! * matrix[row * D + d]!;
  }
  return out;
}
const unit = (v: number[]) => { const n = Math.hypot(...v); return v.map((x) => x / n); };

describe('flipAveragedEncoder', () => {
  it('is ½·(f(x) + f(mirror x)), computed by hand for a linear encoder', () => {
    const enc = linearEncoder(false);
    const tta = flipAveragedEncoder(enc);
    expect(tta.normalized).toBe(false);
    const x = tf.tensor4d(pixels, [2, H, W, C]);
    const got = tta.encode(x).arraySync();
    for (let i = 0; i < 2; i++) {
      const a = byHand(i, false), b = byHand(i, true);
      got[i]!.forEach((v, d) => expect(v).toBeCloseTo((a[d]! + b[d]!) / 2, 5));
    }
    x.dispose();
    enc.dispose();
  });

  it('renormalises when the wrapped encoder normalises (the mean of unit vectors is shorter), and on request', () => {
    const enc = linearEncoder(true);
    const tta = flipAveragedEncoder(enc);
    expect(tta.normalized).toBe(true);
    const x = tf.tensor4d(pixels, [2, H, W, C]);
    const got = tta.encode(x).arraySync();
    const raw = flipAveragedEncoder(enc, { normalize: false }).encode(x).arraySync();
    for (let i = 0; i < 2; i++) {
      const a = unit(byHand(i, false)), b = unit(byHand(i, true));
      const mean = a.map((v, d) => (v + b[d]!) / 2);
      const expected = unit(mean);
      got[i]!.forEach((v, d) => expect(v).toBeCloseTo(expected[d]!, 5));
      raw[i]!.forEach((v, d) => expect(v).toBeCloseTo(mean[d]!, 5));
      expect(Math.hypot(...raw[i]!)).toBeLessThan(1 - 1e-4); // x and its mirror differ here
    }
    x.dispose();
    enc.dispose();
  });

  it('gives an image and its mirror the same embedding (a real CompactEncoder), and trains its variables', () => {
    const enc = createCompactEncoder({ inputShape: [16, 12, 1], channels: [4, 4], seed: 3, embeddingSize: 16 });
    const tta = flipAveragedEncoder(enc);
    const x = tf.tidy(() => tf.randomUniform([3, 16, 12, 1], 0, 1, 'float32', 5) as tf.Tensor4D);
    const m = tf.reverse(x, 2) as tf.Tensor4D;
    const [a, b] = [tta.encode(x).arraySync(), tta.encode(m).arraySync()];
    a.forEach((row, i) => row.forEach((v, d) => expect(v).toBeCloseTo(b[i]![d]!, 5)));
    // and it is not just the plain encoder
    const plain = enc.encode(x).arraySync();
    expect(Math.max(...plain[0]!.map((v, d) => Math.abs(v - a[0]![d]!)))).toBeGreaterThan(1e-4);
    expect(tta.trainableVariables()).toEqual(enc.trainableVariables());
    const { grads } = tf.variableGrads(() => tf.sum(tta.encode(x)) as tf.Scalar, tta.trainableVariables());
    expect(Object.keys(grads).length).toBe(enc.trainableVariables().length);
    tf.dispose([x, m, ...Object.values(grads)]);
    enc.dispose();
  });

  it('leaks nothing, disposes nothing of the wrapped encoder, and throws typed errors', async () => {
    const enc = linearEncoder(true);
    const x = tf.tensor4d(pixels, [2, H, W, C]);
    await expectNoLeaks(() => flipAveragedEncoder(enc).encode(x).dispose());
    flipAveragedEncoder(enc).dispose();
    expect(enc.m.isDisposed).toBe(false);
    expect(() => flipAveragedEncoder(null as never)).toThrow(InvalidArgumentError);
    expect(() => flipAveragedEncoder(enc, { normalize: 'yes' as never })).toThrow(/options.normalize/);
    const bad = tf.zeros([H, W, C]);
    expect(() => flipAveragedEncoder(enc).encode(bad as never)).toThrow(ShapeError);
    bad.dispose();
    expect(() => flipAveragedEncoder(enc).encode('x' as never)).toThrow(InvalidArgumentError);
    x.dispose();
    enc.dispose();
  });
});
