import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../cpu';
import '../../wasm';
import { useBackend } from '../../use-backend';
import { expectNoLeaks } from '../../testing/expect-no-leaks';
import { cpuVsWasm, runOn, seededValues } from './internal/compare-backends';

beforeAll(async () => {
  await useBackend('wasm');
});

describe('wasm Slice (straight from the heap)', () => {
  it('is the registered wasm Slice', () => {
    const k = tf.getKernel('Slice', 'wasm') as unknown as Record<symbol, unknown>;
    expect(k[Symbol.for('likeness.wasm.slice')]).toBe(true);
  });

  it('cuts a hand-checked window', async () => {
    const [v] = await runOn('wasm', () => tf.slice(tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8, 9], [3, 3]), [1, 1], [2, 2]));
    expect(Array.from(v!)).toEqual([5, 6, 8, 9]);
  });

  const cases: { shape: number[]; begin: number[]; size: number[] }[] = [
    { shape: [10], begin: [3], size: [4] },
    { shape: [4, 5, 6], begin: [1, 0, 0], size: [2, -1, -1] }, // contiguous
    { shape: [4, 5, 6], begin: [0, 1, 2], size: [4, 3, 3] },
    { shape: [2, 7, 6, 3], begin: [0, 1, 1, 0], size: [2, 5, 4, 3] }, // image crop
    { shape: [2, 7, 6, 3], begin: [1, 2, 0, 1], size: [1, 1, 6, 2] },
    { shape: [2, 3, 4, 5, 6], begin: [1, 0, 1, 2, 0], size: [1, 3, 2, 2, 6] }, // rank 5
    { shape: [3, 4], begin: [1, 1], size: [0, 2] }, // empty
  ];
  for (const c of cases) {
    it(`matches cpu: shape ${c.shape} begin ${c.begin} size ${c.size} (float32, int32, bool)`, async () => {
      const n = c.shape.reduce((a, b) => a * b, 1);
      const v = seededValues(n, 3);
      const r = await cpuVsWasm(() => {
        const x = tf.tensor(v, c.shape);
        return [
          tf.slice(x, c.begin, c.size),
          tf.cast(tf.slice(tf.cast(tf.mul(x, 100), 'int32'), c.begin, c.size), 'float32'),
          tf.cast(tf.slice(tf.greater(x, 0), c.begin, c.size), 'float32'),
        ];
      });
      expect(r.diff).toBe(0);
      expect(r.wasm[0]!.length).toBe(r.cpu[0]!.length);
    });
  }

  it('leaks nothing', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor(seededValues(2 * 7 * 6 * 3, 4), [2, 7, 6, 3]);
    await expectNoLeaks(() => tf.slice(x, [0, 1, 1, 0], [2, 5, 4, 3]));
    tf.dispose(x);
  });
});
