import * as tf from '@tensorflow/tfjs-core';
import { fusedBatchNormGradConfig } from '@tensorflow/tfjs-core/dist/gradients/FusedBatchNorm_grad';
import { beforeAll, describe, expect, it } from 'vitest';
import '../cpu';
import '../wasm';
import { useBackend } from '../use-backend';
import { expectNoLeaks } from '../testing/expect-no-leaks';
import { seededValues } from '../testing/seeded-values';
import { batchNormGradConfig } from './batch-norm-grad';

beforeAll(async () => {
  await useBackend('cpu');
});

function inputs(xShape: number[], pShape: number[], seed: number) {
  const n = (s: number[]) => s.reduce((a, b) => a * b, 1);
  return {
    x: tf.tensor(seededValues(n(xShape), seed), xShape),
    mean: tf.tensor(seededValues(n(pShape), seed + 1), pShape),
    variance: tf.tensor(seededValues(n(pShape), seed + 2).map((v) => 0.5 + Math.abs(v)), pShape),
    offset: tf.tensor(seededValues(n(pShape), seed + 3), pShape),
    scale: tf.tensor(seededValues(n(pShape), seed + 4).map((v) => 0.5 + v), pShape),
    w: tf.tensor(seededValues(n(xShape), seed + 5), xShape),
  };
}

type Name = 'x' | 'mean' | 'variance' | 'offset' | 'scale';
const NAMES: Name[] = ['x', 'mean', 'variance', 'offset', 'scale'];

describe('batch-norm gradient (FusedBatchNorm)', () => {
  it('is the gradient tf.grad uses once a backend entry is imported', () => {
    expect(tf.getGradient('FusedBatchNorm')).toBe(batchNormGradConfig);
  });

  it('equals tfjs-core 4.22’s own gradient for rank-4 x and per-channel parameters', () => {
    const p = inputs([2, 3, 4, 5], [5], 1);
    const dy = tf.tensor(seededValues(2 * 3 * 4 * 5, 9), [2, 3, 4, 5]);
    const saved = [p.x, p.mean, p.variance, p.scale];
    const attrs = { varianceEpsilon: 1e-3 };
    const ours = batchNormGradConfig.gradFunc(dy, saved, attrs);
    const theirs = fusedBatchNormGradConfig.gradFunc(dy, saved, attrs);
    for (const k of NAMES) {
      const a = ours[k]!().dataSync();
      const b = theirs[k]!().dataSync();
      expect(a.length).toBe(b.length);
      for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i]!, 4);
    }
  });

  const shapes: [number[], number[]][] = [
    [[3, 4], [4]],
    [[2, 3, 3, 2], [2]],
    [[2, 3, 3, 2], [1, 1, 1, 2]],
  ];
  for (const [xShape, pShape] of shapes) {
    it(`matches central finite differences: x ${xShape}, parameters ${pShape}`, () => {
      const p = inputs(xShape, pShape, 20);
      const f = (v: Record<Name, tf.Tensor>) =>
        tf.sum(tf.mul(tf.batchNorm(v.x, v.mean, v.variance, v.offset, v.scale, 1e-3), p.w));
      const grads = tf.grads((x, mean, variance, offset, scale) => f({ x, mean, variance, offset, scale }))(
        NAMES.map((k) => p[k]),
      );
      const h = 1e-2;
      NAMES.forEach((k, gi) => {
        const base = p[k].dataSync();
        const g = grads[gi]!.dataSync();
        expect(grads[gi]!.shape).toEqual(p[k].shape);
        for (let i = 0; i < base.length; i++) {
          const shifted = (d: number) => {
            const vals = Float32Array.from(base);
            vals[i] = vals[i]! + d;
            return f({ ...p, [k]: tf.tensor(vals, p[k].shape) }).dataSync()[0]!;
          };
          const fd = (shifted(h) - shifted(-h)) / (2 * h);
          expect(Math.abs(g[i]! - fd), `${k}[${i}]`).toBeLessThan(2e-2 * Math.max(1, Math.abs(fd)));
        }
      });
    });
  }

  it('leaks nothing, on cpu and wasm (through moments, as in training)', async () => {
    for (const b of ['cpu', 'wasm']) {
      await tf.setBackend(b);
      const p = inputs([2, 3, 3, 4], [4], 40);
      await expectNoLeaks(() =>
        tf.grads((x, scale) => {
          const { mean, variance } = tf.moments(x, [0, 1, 2]);
          return tf.sum(tf.mul(tf.batchNorm(x, mean, variance, p.offset, scale, 1e-3), p.w));
        })([p.x, p.scale]),
      );
      tf.dispose(Object.values(p));
    }
    await tf.setBackend('cpu');
  });
});
