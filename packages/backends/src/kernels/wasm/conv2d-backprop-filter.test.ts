import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../cpu';
import '../../wasm';
import { useBackend } from '../../use-backend';
import { expectNoLeaks } from '../../testing/expect-no-leaks';
import { setFilterGradChunkColumns, setFilterGradStackBytes } from './conv2d-backprop-filter';
import { cpuVsWasm, runOn, seededValues } from './internal/compare-backends';

beforeAll(async () => {
  await useBackend('wasm');
});

type Pad = 'same' | 'valid' | number;
const cases: { x: [number, number, number, number]; k: [number, number]; co: number; s: number | [number, number]; pad: Pad }[] = [
  { x: [1, 5, 5, 1], k: [3, 3], co: 1, s: 1, pad: 'valid' },
  { x: [2, 7, 6, 3], k: [3, 3], co: 4, s: 1, pad: 'same' },
  { x: [2, 9, 9, 3], k: [3, 3], co: 5, s: 2, pad: 'same' },
  { x: [1, 8, 7, 2], k: [3, 2], co: 3, s: 2, pad: 'valid' },
  { x: [1, 10, 11, 4], k: [5, 5], co: 2, s: [2, 3], pad: 'same' },
  { x: [3, 6, 6, 2], k: [1, 1], co: 3, s: 1, pad: 'valid' },
  { x: [1, 7, 7, 2], k: [3, 3], co: 2, s: 2, pad: 1 },
  { x: [1, 6, 6, 3], k: [4, 4], co: 2, s: 1, pad: 'same' },
  // Stride 1 (extended-grid path): several images, non-square kernels, wide explicit padding.
  { x: [3, 5, 8, 2], k: [2, 3], co: 3, s: 1, pad: 'valid' },
  { x: [2, 6, 5, 4], k: [3, 3], co: 2, s: 1, pad: 2 },
  { x: [4, 3, 4, 1], k: [3, 1], co: 2, s: 1, pad: 'same' },
];

describe('wasm Conv2DBackpropFilter', () => {
  it('is registered on wasm', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  // Budget 0: one tap per matmul; 11 000 bytes: groups of 4, 4 and 1 taps for cases[9]; default: all taps in one.
  for (const [i, c] of [...cases.entries(), ...[0, 11_000].map((b) => [b % 97, { ...cases[9]!, budget: b }] as const)]) {
    const budget = 'budget' in c ? (c.budget as number) : undefined;
    it(`matches cpu: x ${c.x} k ${c.k}×${c.co} stride ${c.s} pad ${c.pad}${budget === undefined ? '' : ` stacking budget ${budget} B`}`, async () => {
      const previous = budget === undefined ? undefined : setFilterGradStackBytes(budget);
      const wShape = [c.k[0], c.k[1], c.x[3], c.co] as [number, number, number, number];
      const xv = seededValues(c.x.reduce((a, b) => a * b), 11 + i);
      const wv = seededValues(wShape.reduce((a, b) => a * b), 101 + i);
      const r = await cpuVsWasm(() => {
        const x = tf.tensor4d(xv, c.x);
        const w = tf.tensor4d(wv, wShape);
        // Weight the output so that dy is not constant.
        const f = (xx: tf.Tensor, ww: tf.Tensor) => {
          const y = tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, c.s, c.pad, 'NHWC', 1, typeof c.pad === 'number' ? 'floor' : undefined);
          return tf.sum(tf.mul(y, tf.sin(tf.reshape(tf.range(0, y.size), y.shape))));
        };
        return tf.grads(f)([x, w]);
      });
      if (previous !== undefined) setFilterGradStackBytes(previous);
      expect(r.diff).toBeLessThan(1e-5);
    });
  }

  // K-blocked reduction: chunks of 7 and 64 positions (several chunks, a short last one).
  for (const columns of [7, 64]) {
    for (const [i, c] of [cases[1]!, cases[8]!, cases[9]!].entries()) {
      it(`matches cpu in K-blocks of ${columns}: x ${c.x} k ${c.k}×${c.co} pad ${c.pad}`, async () => {
        const wShape = [c.k[0], c.k[1], c.x[3], c.co] as [number, number, number, number];
        const xv = seededValues(c.x.reduce((a, b) => a * b), 300 + i);
        const wv = seededValues(wShape.reduce((a, b) => a * b), 400 + i);
        const previous = setFilterGradChunkColumns(columns);
        try {
          const r = await cpuVsWasm(() =>
            tf.grad((ww: tf.Tensor) => {
              const y = tf.conv2d(tf.tensor4d(xv, c.x), ww as tf.Tensor4D, c.s, c.pad, 'NHWC', 1, typeof c.pad === 'number' ? 'floor' : undefined);
              return tf.sum(tf.mul(y, tf.sin(tf.reshape(tf.range(0, y.size), y.shape))));
            })(tf.tensor4d(wv, wShape)),
          );
          expect(r.diff).toBeLessThan(1e-5);
        } finally {
          setFilterGradChunkColumns(previous);
        }
      });
    }
  }

  it('agrees with finite differences', async () => {
    const xv = seededValues(1 * 6 * 5 * 2, 7);
    const wv = seededValues(3 * 3 * 2 * 3, 8);
    const loss = (w: tf.Tensor) => tf.sum(tf.square(tf.conv2d(tf.tensor4d(xv, [1, 6, 5, 2]), w as tf.Tensor4D, 2, 'same')));
    const [grad] = await runOn('wasm', () => tf.grad(loss)(tf.tensor4d(wv, [3, 3, 2, 3])));
    await tf.setBackend('wasm');
    const eps = 1e-2;
    for (const idx of [0, 5, 17, 33, 53]) {
      const plus = Float32Array.from(wv);
      const minus = Float32Array.from(wv);
      plus[idx]! += eps;
      minus[idx]! -= eps;
      const lp = tf.tidy(() => loss(tf.tensor4d(plus, [3, 3, 2, 3])).dataSync()[0]!);
      const lm = tf.tidy(() => loss(tf.tensor4d(minus, [3, 3, 2, 3])).dataSync()[0]!);
      const numeric = (lp - lm) / (2 * eps);
      expect(Math.abs(grad![idx]! - numeric)).toBeLessThan(2e-2 * Math.max(1, Math.abs(numeric)));
    }
  });

  it('stride 1 with dilation (called directly) matches a brute-force sum', async () => {
    await tf.setBackend('wasm');
    const [n, h, w, ci, co, kh, kw, dh, dw] = [2, 7, 6, 2, 3, 2, 3, 2, 1];
    const xv = seededValues(n * h * w * ci, 21);
    const oh = h - (kh - 1) * dh;
    const ow = w - (kw - 1) * dw;
    const dyv = seededValues(n * oh * ow * co, 22);
    const got = tf.tidy(() =>
      tf
        .engine()
        .runKernel(
          'Conv2DBackpropFilter',
          { x: tf.tensor4d(xv, [n, h, w, ci]), dy: tf.tensor4d(dyv, [n, oh, ow, co]) },
          { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [dh, dw], filterShape: [kh, kw, ci, co] },
        ) as tf.Tensor,
    );
    const values = await got.data();
    got.dispose();
    for (let i = 0; i < kh; i++)
      for (let j = 0; j < kw; j++)
        for (let c = 0; c < ci; c++)
          for (let o = 0; o < co; o++) {
            let sum = 0;
            for (let b = 0; b < n; b++)
              for (let y = 0; y < oh; y++)
                for (let xx = 0; xx < ow; xx++)
                  sum += xv[((b * h + y + i * dh) * w + xx + j * dw) * ci + c]! * dyv[((b * oh + y) * ow + xx) * co + o]!;
            expect(values[((i * kw + j) * ci + c) * co + o]).toBeCloseTo(sum, 4);
          }
  });

  it('leaks nothing', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d(seededValues(2 * 9 * 9 * 3, 1), [2, 9, 9, 3]);
    const w = tf.tensor4d(seededValues(3 * 3 * 3 * 4, 2), [3, 3, 3, 4]);
    await expectNoLeaks(() => tf.grad((ww: tf.Tensor) => tf.sum(tf.conv2d(x, ww as tf.Tensor4D, 2, 'same')))(w));
    await expectNoLeaks(() => tf.grad((ww: tf.Tensor) => tf.sum(tf.conv2d(x, ww as tf.Tensor4D, 1, 'same')))(w));
    tf.dispose([x, w]);
  });
});
