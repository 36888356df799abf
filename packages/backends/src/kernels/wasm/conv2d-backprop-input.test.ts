import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../cpu';
import '../../wasm';
import { useBackend } from '../../use-backend';
import { expectNoLeaks } from '../../testing/expect-no-leaks';
import { cpuVsWasm, seededValues } from './internal/compare-backends';

beforeAll(async () => {
  await useBackend('wasm');
});

// The gradients through tf.grads are also checked in conv2d-backprop-filter.test.ts.
const cases: { x: [number, number, number, number]; k: [number, number]; co: number; s: number | [number, number]; pad: 'same' | 'valid' | number }[] = [
  { x: [1, 5, 5, 1], k: [3, 3], co: 1, s: 1, pad: 'valid' },
  { x: [2, 9, 8, 3], k: [3, 3], co: 4, s: 2, pad: 'same' },
  { x: [1, 10, 11, 2], k: [5, 4], co: 3, s: [3, 2], pad: 'same' },
  { x: [1, 8, 8, 2], k: [2, 2], co: 2, s: 2, pad: 'valid' },
  { x: [1, 7, 7, 2], k: [3, 3], co: 2, s: 2, pad: 1 },
  // More than 8 input channels: stride 1 takes the convolution path, stride 2 col2im.
  { x: [2, 6, 7, 12], k: [3, 3], co: 5, s: 1, pad: 'same' },
  { x: [1, 6, 5, 10], k: [3, 2], co: 4, s: 1, pad: 'valid' },
  { x: [2, 9, 8, 12], k: [3, 3], co: 5, s: 2, pad: 'same' },
];

describe('wasm Conv2DBackpropInput (replacement)', () => {
  it('is ours, not the built-in one', async () => {
    const { conv2dBackpropInputConfig } = await import('./conv2d-backprop-input');
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).toBe(conv2dBackpropInputConfig.kernelFunc);
  });

  for (const [i, c] of cases.entries()) {
    it(`matches cpu: x ${c.x} k ${c.k}×${c.co} stride ${c.s} pad ${c.pad}`, async () => {
      const wShape = [c.k[0], c.k[1], c.x[3], c.co] as [number, number, number, number];
      const xv = seededValues(c.x.reduce((a, b) => a * b), 41 + i);
      const wv = seededValues(wShape.reduce((a, b) => a * b), 141 + i);
      const r = await cpuVsWasm(() =>
        tf.grad((xx: tf.Tensor) => {
          const y = tf.conv2d(xx as tf.Tensor4D, tf.tensor4d(wv, wShape), c.s, c.pad, 'NHWC', 1, typeof c.pad === 'number' ? 'round' : undefined);
          return tf.sum(tf.mul(y, tf.sin(tf.reshape(tf.range(0, y.size), y.shape))));
        })(tf.tensor4d(xv, c.x)),
      );
      expect(r.diff).toBeLessThan(1e-5);
    });
  }

  for (const ci of [2, 10]) {
    it(`with dilation (called directly) matches a brute-force sum, ${ci} input channels`, async () => {
      await tf.setBackend('wasm');
      const [n, h, w, co, kh, kw, dh, dw] = [2, 7, 6, 3, 2, 3, 2, 1];
      const oh = h - (kh - 1) * dh;
      const ow = w - (kw - 1) * dw;
      const dyv = seededValues(n * oh * ow * co, 51 + ci);
      const wv = seededValues(kh * kw * ci * co, 52 + ci);
      const got = tf.tidy(() =>
        tf
          .engine()
          .runKernel(
            'Conv2DBackpropInput',
            { dy: tf.tensor4d(dyv, [n, oh, ow, co]), filter: tf.tensor4d(wv, [kh, kw, ci, co]) },
            { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', inputShape: [n, h, w, ci], dilations: [dh, dw] } as never,
          ) as tf.Tensor,
      );
      const g = got.dataSync();
      got.dispose();
      const want = new Float64Array(n * h * w * ci);
      for (let b = 0; b < n; b++)
        for (let oy = 0; oy < oh; oy++)
          for (let ox = 0; ox < ow; ox++)
            for (let ky = 0; ky < kh; ky++)
              for (let kx = 0; kx < kw; kx++)
                for (let c = 0; c < ci; c++)
                  for (let o = 0; o < co; o++)
                    want[((b * h + oy + ky * dh) * w + ox + kx * dw) * ci + c]! +=
                      dyv[((b * oh + oy) * ow + ox) * co + o]! * wv[((ky * kw + kx) * ci + c) * co + o]!;
      for (let i = 0; i < want.length; i++) expect(g[i]).toBeCloseTo(want[i]!, 4);
    });
  }

  it('leaks nothing', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d(seededValues(2 * 9 * 9 * 3, 1), [2, 9, 9, 3]);
    const w = tf.tensor4d(seededValues(3 * 3 * 3 * 4, 2), [3, 3, 3, 4]);
    await expectNoLeaks(() => tf.grad((xx: tf.Tensor) => tf.sum(tf.conv2d(xx as tf.Tensor4D, w, 2, 'same')))(x));
    tf.dispose([x, w]);
  });
});
