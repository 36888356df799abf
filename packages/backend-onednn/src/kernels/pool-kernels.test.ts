import '@likeness/backends/cpu';
import { expectNoLeaks, seededValues } from '@likeness/backends/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeOnOneDnn } from '../../test/availability';
import { relativeError } from '../../test/reference-conv';
import { referencePool } from '../../test/reference-pool';
import '../index';
import { loadOneDnn } from '../native';

interface Case {
  name: string;
  x: [number, number, number, number];
  k: [number, number];
  stride: [number, number];
  pad: 'same' | 'valid';
}

const CASES: Case[] = [
  { name: '2×2/2 valid', x: [2, 8, 8, 3], k: [2, 2], stride: [2, 2], pad: 'valid' },
  { name: '3×3/2 same (odd size)', x: [1, 9, 7, 4], k: [3, 3], stride: [2, 2], pad: 'same' },
  { name: '3×3/1 same', x: [2, 5, 6, 2], k: [3, 3], stride: [1, 1], pad: 'same' },
  { name: '3×2/2×1 valid', x: [1, 7, 6, 5], k: [3, 2], stride: [2, 1], pad: 'valid' },
];

function geometry(c: Case) {
  const [, h, w] = c.x;
  if (c.pad === 'valid') {
    return { outH: Math.ceil((h - c.k[0] + 1) / c.stride[0]), outW: Math.ceil((w - c.k[1] + 1) / c.stride[1]), padTop: 0, padLeft: 0 };
  }
  const outH = Math.ceil(h / c.stride[0]);
  const outW = Math.ceil(w / c.stride[1]);
  const padH = Math.max((outH - 1) * c.stride[0] + c.k[0] - h, 0);
  const padW = Math.max((outW - 1) * c.stride[1] + c.k[1] - w, 0);
  return { outH, outW, padTop: Math.floor(padH / 2), padLeft: Math.floor(padW / 2) };
}

/** Distinct values (no ties: which tied element gets the max-pool gradient is backend-defined). */
function distinct(count: number, seed: number): Float32Array {
  const keys = seededValues(count, seed);
  const order = Array.from(keys.keys()).sort((a, b) => keys[a]! - keys[b]!);
  const out = new Float32Array(count);
  order.forEach((at, rank) => (out[at] = -1 + (2 * rank) / count));
  return out;
}

describeOnOneDnn('oneDNN pooling kernels against a float64 brute force', () => {

  for (const [i, c] of CASES.entries()) {
    for (const kind of ['max', 'avg'] as const) {
      it(`${kind}Pool ${c.name}: forward and dx`, () => {
        const xv = distinct(c.x.reduce((a, b) => a * b), 400 + i);
        const g = geometry(c);
        const r = seededValues(c.x[0] * g.outH * g.outW * c.x[3], 500 + i);
        const ref = referencePool({ x: xv, xShape: c.x, k: c.k, stride: c.stride, ...g, kind, r });
        const before = loadOneDnn().cacheSize();
        const [y, dx] = tf.tidy(() => {
          const x = tf.tensor4d(xv, c.x);
          const f = (a: tf.Tensor) => (kind === 'max' ? tf.maxPool : tf.avgPool)(a as tf.Tensor4D, c.k, c.stride, c.pad);
          const grad = tf.grad((a) => tf.sum(tf.mul(f(a), tf.tensor(r, [c.x[0], g.outH, g.outW, c.x[3]]))))(x);
          return [f(x), grad].map((t) => t.dataSync());
        });
        expect(relativeError(y!, ref.y)).toBeLessThan(1e-6);
        expect(relativeError(dx!, ref.dx)).toBeLessThan(1e-6);
        expect(loadOneDnn().cacheSize()).toBeGreaterThan(before); // ran on oneDNN
      });
    }
  }

  it('gives all-negative windows their gradient (max pooling)', () => {
    const x = tf.tensor4d([-5, -3, -4, -6], [1, 2, 2, 1]);
    const dx = tf.grad((a) => tf.sum(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid')))(x);
    expect(Array.from(dx.dataSync())).toEqual([0, 1, 0, 0]);
    tf.dispose([x, dx]);
  });

  it('leaks no tensors through pooling and its gradients', async () => {
    const x = tf.randomNormal([1, 6, 6, 2]) as tf.Tensor4D;
    await expectNoLeaks(() => {
      tf.dispose(tf.grad((a) => tf.sum(tf.maxPool(a as tf.Tensor4D, 3, 2, 'same')))(x));
      tf.dispose(tf.grad((a) => tf.sum(tf.avgPool(a as tf.Tensor4D, 2, 2, 'valid')))(x));
    });
    x.dispose();
  });
});
