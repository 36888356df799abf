import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../cpu';
import '../../wasm';
import { useBackend } from '../../use-backend';
import { registerWasmGapKernels } from './register-wasm-kernels';
import { expectNoLeaks } from '../../testing/expect-no-leaks';
import { cpuVsWasm, runOn, seededValues } from './internal/compare-backends';

beforeAll(async () => {
  await useBackend('wasm');
});

describe('wasm BatchMatMul (transposed operands and batches on XNNPACK)', () => {
  it('is the registered wasm BatchMatMul', () => {
    const k = tf.getKernel('BatchMatMul', 'wasm') as unknown as Record<symbol, unknown>;
    expect(k[Symbol.for('likeness.wasm.batch-mat-mul')]).toBe(true);
  });

  it('registering again wraps the built-in kernel, not the wrapper (no double wrapping)', async () => {
    const before = tf.getKernel('BatchMatMul', 'wasm') as unknown as Record<symbol, unknown>;
    registerWasmGapKernels();
    registerWasmGapKernels();
    const after = tf.getKernel('BatchMatMul', 'wasm') as unknown as Record<symbol, unknown>;
    const builtin = Symbol.for('likeness.wasm.builtin-kernel');
    expect(after[builtin]).toBe(before[builtin]);
    expect((after[builtin] as Record<symbol, unknown>)[builtin]).toBeUndefined();
    const [v] = await runOn('wasm', () => tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([1, 0, 0, 1], [2, 2]), true, false));
    expect(Array.from(v!)).toEqual([1, 3, 2, 4]);
  });

  it('computes a hand-checked AᵀB and ABᵀ', async () => {
    // A = [[1,2],[3,4],[5,6]] (3×2), B = [[1,0,2],[0,1,3]] (2×3)
    const [atb, abt] = await runOn('wasm', () => {
      const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
      const b = tf.tensor2d([1, 0, 2, 0, 1, 3], [2, 3]);
      return [tf.matMul(a, a, true, false), tf.matMul(b, b, false, true)];
    });
    expect(Array.from(atb!)).toEqual([35, 44, 44, 56]);
    expect(Array.from(abt!)).toEqual([5, 6, 6, 10]);
  });

  // tfjs-core 4.22's matMul gradient does not reduce over broadcast batch dimensions
  // (on every backend), so the broadcast cases check the product only.
  const cases: { a: number[]; b: number[]; ta: boolean; tb: boolean; noGrad?: boolean }[] = [
    { a: [7, 5], b: [7, 4], ta: true, tb: false },
    { a: [5, 7], b: [4, 7], ta: false, tb: true },
    { a: [7, 5], b: [4, 7], ta: true, tb: true },
    { a: [3, 5, 7], b: [3, 7, 4], ta: false, tb: false },
    { a: [3, 7, 5], b: [3, 4, 7], ta: true, tb: true },
    { a: [2, 3, 5, 7], b: [7, 4], ta: false, tb: false, noGrad: true }, // b broadcast over the batch
    { a: [5, 7], b: [4, 7, 6], ta: false, tb: false, noGrad: true }, // a broadcast over the batch
    { a: [1, 5, 7], b: [1, 7, 4], ta: false, tb: false }, // the built-in XNNPACK path
  ];
  for (const [i, c] of cases.entries()) {
    it(`matches cpu: a ${c.a}${c.ta ? 'ᵀ' : ''} × b ${c.b}${c.tb ? 'ᵀ' : ''}${c.noGrad ? '' : ', with gradients'}`, async () => {
      const av = seededValues(c.a.reduce((x, y) => x * y), 60 + i);
      const bv = seededValues(c.b.reduce((x, y) => x * y), 80 + i);
      const r = await cpuVsWasm(() => {
        const a = tf.tensor(av, c.a);
        const b = tf.tensor(bv, c.b);
        const f = (x: tf.Tensor, y: tf.Tensor) => {
          const p = tf.matMul(x, y, c.ta, c.tb);
          return tf.sum(tf.mul(p, tf.sin(tf.reshape(tf.range(0, p.size), p.shape))));
        };
        if (c.noGrad) return [tf.matMul(a, b, c.ta, c.tb)];
        const { value, grads } = tf.valueAndGrads(f)([a, b]);
        return [tf.matMul(a, b, c.ta, c.tb), value, ...grads];
      });
      expect(r.diff).toBeLessThan(1e-5);
      await tf.setBackend('wasm');
      const shape = tf.tidy(() => tf.matMul(tf.tensor(av, c.a), tf.tensor(bv, c.b), c.ta, c.tb).shape);
      await tf.setBackend('cpu');
      const cpuShape = tf.tidy(() => tf.matMul(tf.tensor(av, c.a), tf.tensor(bv, c.b), c.ta, c.tb).shape);
      expect(shape).toEqual(cpuShape);
      await tf.setBackend('wasm');
    });
  }

  it('leaks nothing', async () => {
    await tf.setBackend('wasm');
    const a = tf.tensor(seededValues(3 * 7 * 5, 1), [3, 7, 5]);
    const b = tf.tensor(seededValues(3 * 4 * 7, 2), [3, 4, 7]);
    await expectNoLeaks(() => tf.matMul(a, b, true, true));
    await expectNoLeaks(() => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.matMul(x, y, true, true)))([a, b]));
    tf.dispose([a, b]);
  });
});
