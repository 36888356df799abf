import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../cpu';
import '../../wasm';
import { useBackend } from '../../use-backend';
import { expectNoLeaks } from '../../testing/expect-no-leaks';
import { cpuVsWasm, maxRelDiff, runOn, seededValues } from './internal/compare-backends';

beforeAll(async () => {
  await useBackend('wasm');
});

type Pad = 'same' | 'valid' | number;
// Depthwise input and filter gradients, both checked here (tf.grads gives both).
const cases: { x: [number, number, number, number]; k: [number, number]; m: number; s: number; d: number; pad: Pad }[] = [
  { x: [1, 5, 5, 1], k: [3, 3], m: 1, s: 1, d: 1, pad: 'valid' },
  { x: [2, 7, 6, 3], k: [3, 3], m: 1, s: 1, d: 1, pad: 'same' },
  { x: [2, 9, 9, 3], k: [3, 3], m: 2, s: 2, d: 1, pad: 'same' },
  { x: [1, 8, 7, 2], k: [3, 2], m: 3, s: 2, d: 1, pad: 'valid' },
  { x: [1, 11, 10, 4], k: [5, 5], m: 1, s: 2, d: 1, pad: 'same' },
  { x: [1, 7, 7, 2], k: [3, 3], m: 1, s: 2, d: 1, pad: 1 },
  { x: [1, 6, 6, 3], k: [4, 4], m: 1, s: 1, d: 1, pad: 'same' },
];

describe('wasm DepthwiseConv2dNativeBackpropInput / BackpropFilter', () => {
  it('are registered on wasm', () => {
    expect(tf.getKernel('DepthwiseConv2dNativeBackpropInput', 'wasm')).toBeDefined();
    expect(tf.getKernel('DepthwiseConv2dNativeBackpropFilter', 'wasm')).toBeDefined();
  });

  for (const [i, c] of cases.entries()) {
    it(`match cpu: x ${c.x} k ${c.k}×${c.m} stride ${c.s} pad ${c.pad}`, async () => {
      const wShape = [c.k[0], c.k[1], c.x[3], c.m] as [number, number, number, number];
      const xv = seededValues(c.x.reduce((a, b) => a * b), 21 + i);
      const wv = seededValues(wShape.reduce((a, b) => a * b), 201 + i);
      const r = await cpuVsWasm(() => {
        const f = (xx: tf.Tensor, ww: tf.Tensor) => {
          const y = tf.depthwiseConv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, c.s, c.pad, 'NHWC', c.d, typeof c.pad === 'number' ? 'floor' : undefined);
          return tf.sum(tf.mul(y, tf.cos(tf.reshape(tf.range(0, y.size), y.shape))));
        };
        return tf.grads(f)([tf.tensor4d(xv, c.x), tf.tensor4d(wv, wShape)]);
      });
      expect(r.diff).toBeLessThan(1e-5);
    });
  }

  it('match a brute-force reference with dilation 2 (kernels called directly)', async () => {
    // tfjs's depthwise gradient refuses dilation > 1 and its cpu kernels ignore
    // dilation, so the reference here is the definition, in plain loops.
    const [n, h, w, c, m, k, d] = [1, 9, 8, 2, 2, 3, 2];
    const xv = seededValues(n * h * w * c, 5);
    const wv = seededValues(k * k * c * m, 6);
    // 'same' with stride 1: output h×w, effective filter (k-1)·d+1 = 5 → pad 2 on each side.
    const top = ((k - 1) * d) / 2;
    const dyv = seededValues(n * h * w * c * m, 7);
    const dx = new Float32Array(n * h * w * c);
    const dw = new Float32Array(k * k * c * m);
    for (let oy = 0; oy < h; oy++)
      for (let ox = 0; ox < w; ox++)
        for (let ch = 0; ch < c; ch++)
          for (let q = 0; q < m; q++) {
            const g = dyv[(oy * w + ox) * c * m + ch * m + q]!;
            for (let i = 0; i < k; i++)
              for (let j = 0; j < k; j++) {
                const iy = oy + i * d - top;
                const ix = ox + j * d - top;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                const xi = (iy * w + ix) * c + ch;
                const wi = ((i * k + j) * c + ch) * m + q;
                dx[xi]! += g * wv[wi]!;
                dw[wi]! += g * xv[xi]!;
              }
          }
    const [gx, gw] = await runOn('wasm', () => {
      const x = tf.tensor4d(xv, [n, h, w, c]);
      const f = tf.tensor4d(wv, [k, k, c, m]);
      const dy = tf.tensor4d(dyv, [n, h, w, c * m]);
      const attrs = { strides: 1, dilations: d, pad: 'same' };
      return [
        tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: f }, { ...attrs, inputShape: x.shape }) as tf.Tensor,
        tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...attrs, filterShape: f.shape }) as tf.Tensor,
      ];
    });
    expect(maxRelDiff(gx!, dx)).toBeLessThan(1e-5);
    expect(maxRelDiff(gw!, dw)).toBeLessThan(1e-5);
  });

  it('leak nothing', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d(seededValues(2 * 9 * 9 * 3, 1), [2, 9, 9, 3]);
    const w = tf.tensor4d(seededValues(3 * 3 * 3 * 2, 2), [3, 3, 3, 2]);
    await expectNoLeaks(() => tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.depthwiseConv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 2, 'same')))([x, w]));
    tf.dispose([x, w]);
  });
});
