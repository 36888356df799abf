import { InvalidArgumentError } from '@likeness/backends';
import '@likeness/backends/cpu';
import { expectNoLeaks, seededValues } from '@likeness/backends/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeOnOneDnn, onOneDnn, onNativeLoop } from '../../test/availability';
import { relativeError } from '../../test/reference-conv';
import { referenceMatMul } from '../../test/reference-matmul';
import '../index';
import { loadOneDnn } from '../native';
import { callNative } from './native-call';

const size = (s: readonly number[]) => s.reduce((p, q) => p * q, 1);

describeOnOneDnn('oneDNN matmul kernels against float64', () => {

  // [aShape, bShape, transposeA, transposeB]
  const cases: [number[], number[], boolean, boolean][] = [
    [[33, 47], [47, 29], false, false],
    [[47, 33], [47, 29], true, false],
    [[33, 47], [29, 47], false, true],
    [[47, 33], [29, 47], true, true],
    [[4, 17, 23], [4, 23, 19], false, false],
    [[4, 23, 17], [4, 19, 23], true, true],
    [[4, 17, 23], [23, 19], false, false], // rank-2 b broadcast over a's batch
    [[1, 17, 23], [5, 23, 19], false, false], // batch of 1 against 5
    [[2, 1, 17, 23], [1, 3, 19, 23], false, true], // both sides broadcast
  ];
  for (const [i, [aShape, bShape, ta, tb]] of cases.entries()) {
    it(`matMul ${JSON.stringify(aShape)}${ta ? 'ᵀ' : ''} × ${JSON.stringify(bShape)}${tb ? 'ᵀ' : ''}`, () => {
      const av = seededValues(size(aShape), 800 + i);
      const bv = seededValues(size(bShape), 900 + i);
      const a = tf.tensor(av, aShape);
      const b = tf.tensor(bv, bShape);
      const y = onOneDnn(() => tf.matMul(a, b, ta, tb));
      const ref = referenceMatMul(av, aShape, bv, bShape, ta, tb);
      expect(y.shape).toEqual(ref.shape);
      expect(relativeError(y.dataSync(), ref.y)).toBeLessThan(1e-5);
      tf.dispose([a, b, y]);
    });
  }

  const activations: [string, (v: number) => number][] = [
    ['linear', (v) => v],
    ['relu', (v) => Math.max(v, 0)],
    ['relu6', (v) => Math.min(Math.max(v, 0), 6)],
    ['elu', (v) => (v > 0 ? v : Math.exp(v) - 1)],
    ['sigmoid', (v) => 1 / (1 + Math.exp(-v))],
    ['leakyrelu', (v) => (v > 0 ? v : 0.3 * v)],
  ];
  for (const [j, [activation, act]] of activations.entries()) {
    it(`fused matMul + bias + ${activation}`, () => {
      const [m, k, n] = [21, 40, 26];
      const av = seededValues(m * k, 1000 + j, -2, 2);
      const bv = seededValues(k * n, 1100 + j);
      const biasV = seededValues(n, 1200 + j);
      const a = tf.tensor2d(av, [m, k]);
      const b = tf.tensor2d(bv, [k, n]);
      const bias = tf.tensor1d(biasV);
      const y = onOneDnn(() =>
        tf.fused.matMul({ a, b, bias, activation: activation as tf.fused.Activation, leakyreluAlpha: 0.3 }),
      );
      const ref = referenceMatMul(av, [m, k], bv, [k, n]).y.map((v, idx) => act(v + biasV[idx % n]!));
      expect(relativeError(y.dataSync(), ref)).toBeLessThan(1e-5);
      tf.dispose([a, b, bias, y]);
    });
  }

  it('fused matMul with a per-row bias [M, 1] and transposed operands', () => {
    const [m, k, n] = [19, 30, 24];
    const av = seededValues(k * m, 1300);
    const bv = seededValues(n * k, 1301);
    const biasV = seededValues(m, 1302);
    const a = tf.tensor2d(av, [k, m]);
    const b = tf.tensor2d(bv, [n, k]);
    const bias = tf.tensor2d(biasV, [m, 1]);
    const y = onOneDnn(() => tf.fused.matMul({ a, b, transposeA: true, transposeB: true, bias, activation: 'relu' }));
    const ref = referenceMatMul(av, [k, m], bv, [n, k], true, true).y.map((v, idx) => Math.max(v + biasV[Math.floor(idx / n)]!, 0));
    expect(relativeError(y.dataSync(), ref)).toBeLessThan(1e-5);
    tf.dispose([a, b, bias, y]);
  });

  it('gradients of matMul (through transposed matMuls on oneDNN) match float64', () => {
    const [m, k, n] = [16, 24, 20];
    const av = seededValues(m * k, 1400);
    const bv = seededValues(k * n, 1401);
    const rv = seededValues(m * n, 1402);
    const a = tf.tensor2d(av, [m, k]);
    const b = tf.tensor2d(bv, [k, n]);
    const r = tf.tensor2d(rv, [m, n]);
    // L = Σ r ⊙ (a·b): ∂L/∂a = r·bᵀ, ∂L/∂b = aᵀ·r
    const [da, db] = onOneDnn(() => tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(r, tf.matMul(x, w))))([a, b]));
    expect(relativeError(da!.dataSync(), referenceMatMul(rv, [m, n], bv, [k, n], false, true).y)).toBeLessThan(1e-5);
    expect(relativeError(db!.dataSync(), referenceMatMul(av, [m, k], rv, [m, n], true, false).y)).toBeLessThan(1e-5);
    tf.dispose([a, b, r, da!, db!]);
  });

  it('runs tiny products, int32 and prelu on the cpu kernels', () => {
    const small = onCpu(() => tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])));
    expect(Array.from(small.dataSync())).toEqual([3, 3, 3, 3]);
    const ints = onCpu(() => tf.matMul(tf.fill([20, 20], 3, 'int32'), tf.fill([20, 20], 2, 'int32')));
    expect(ints.dtype).toBe('int32');
    expect(ints.dataSync()[0]).toBe(120);
    const a = tf.fill([20, 20], -1);
    const prelu = onCpu(() => tf.fused.matMul({ a, b: tf.eye(20), activation: 'prelu', preluActivationWeights: tf.scalar(0.5) }));
    expect(prelu.dataSync()[0]).toBeCloseTo(-0.5, 6);
    tf.dispose([small, ints, a, prelu]);
  });

  it('turns bad arrays at the addon into typed errors, and still reports mismatched shapes as tfjs does', () => {
    const addon = loadOneDnn();
    const dims = Int32Array.of(4, 4);
    const call = () => addon.matMul(new Float32Array(16), new Float32Array(15), new Float32Array(16), dims, dims, false, false, null, null, -1, 0, 0);
    expect(call).toThrow(RangeError);
    expect(() => callNative('BatchMatMul', call)).toThrow(/BatchMatMul/);
    const wrongType = () =>
      addon.matMul(new Float64Array(16) as unknown as Float32Array, new Float32Array(16), new Float32Array(16), dims, dims, false, false, null, null, -1, 0, 0);
    expect(() => callNative('BatchMatMul', wrongType)).toThrow(InvalidArgumentError);
    expect(() => tf.matMul(tf.ones([30, 40]), tf.ones([30, 40]))).toThrow(/inner shapes/);
  });

  it('uses a oneDNN matmul implementation, not a reference loop', () => {
    expect(loadOneDnn().matMulImplementation(Int32Array.of(256, 512), Int32Array.of(512, 256), false, false)).not.toMatch(/ref/);
    expect(loadOneDnn().matMulImplementation(Int32Array.of(8, 256, 64), Int32Array.of(8, 256, 64), true, false)).not.toMatch(/ref/);
  });

  it('leaks no tensors', async () => {
    // (tfjs's matMul gradient does not reduce a broadcast batch axis: both operands rank 3 here.)
    const a = tf.randomNormal([3, 20, 30]);
    const b = tf.randomNormal([3, 30, 25]);
    const bias = tf.randomNormal([25]);
    await expectNoLeaks(() => {
      tf.dispose(tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.fused.matMul({ a: x, b: w, bias, activation: 'relu' })))([a, b]));
    });
    tf.dispose([a, b, bias]);
  });
});

describeOnOneDnn('oneDNN batch norm against float64', () => {

  const shape: [number, number, number, number] = [2, 9, 11, 24];
  const c = shape[3];
  const xv = seededValues(size(shape), 1500, -3, 3);
  const mean = seededValues(c, 1501);
  const variance = seededValues(c, 1502, 0.1, 2);
  const scale = seededValues(c, 1503, 0.5, 1.5);
  const offset = seededValues(c, 1504);
  const ref = (eps: number, withScale: boolean, withOffset: boolean) =>
    Array.from(xv, (v, i) => {
      const ch = i % c;
      return ((v - mean[ch]!) / Math.sqrt(variance[ch]! + eps)) * (withScale ? scale[ch]! : 1) + (withOffset ? offset[ch]! : 0);
    });

  for (const [withScale, withOffset] of [
    [true, true],
    [false, true],
    [true, false],
    [false, false],
  ] as const) {
    it(`tf.batchNorm ${withScale ? 'with' : 'without'} scale, ${withOffset ? 'with' : 'without'} offset`, () => {
      const x = tf.tensor4d(xv, shape);
      const t = (v: Float32Array) => tf.tensor1d(v);
      const stats = [t(mean), t(variance), t(offset), t(scale)];
      const y = onNativeLoop(() =>
        tf.batchNorm(x, stats[0]!, stats[1]!, withOffset ? stats[2] : undefined, withScale ? stats[3] : undefined, 1e-3),
      );
      expect(y.shape).toEqual(shape);
      expect(relativeError(y.dataSync(), ref(1e-3, withScale, withOffset))).toBeLessThan(2e-6);
      tf.dispose([x, y, ...stats]);
    });
  }

  it('takes statistics of shape [1, 1, 1, C] and another epsilon', () => {
    const x = tf.tensor4d(xv, shape);
    const s = (v: Float32Array) => tf.tensor4d(v, [1, 1, 1, c]);
    const stats = [s(mean), s(variance), s(offset), s(scale)];
    const y = onNativeLoop(() => tf.batchNorm(x, stats[0]!, stats[1]!, stats[2], stats[3], 0.1));
    expect(relativeError(y.dataSync(), ref(0.1, true, true))).toBeLessThan(2e-6);
    tf.dispose([x, y, ...stats]);
  });

  it('leaves per-element statistics and small tensors to the cpu kernel', () => {
    const x = tf.tensor4d(xv, shape);
    const full = tf.onesLike(x);
    const y = onCpu(() => tf.batchNorm(x, tf.zerosLike(x), full, undefined, undefined, 0));
    expect(relativeError(y.dataSync(), xv)).toBeLessThan(1e-6);
    const small = onCpu(() => tf.batchNorm(tf.ones([4, 3]), tf.ones([3]), tf.ones([3]), undefined, undefined, 0));
    expect(Array.from(small.dataSync())).toEqual(Array(12).fill(0));
    tf.dispose([x, full, y, small]);
  });

  it('leaks no tensors, through its gradient too', async () => {
    const x = tf.randomNormal(shape);
    // (tfjs's batchNorm gradient needs a scale tensor.)
    const [m, v, o, s] = [tf.zeros([c]), tf.ones([c]), tf.zeros([c]), tf.ones([c])];
    await expectNoLeaks(() => {
      tf.dispose(tf.grad((a: tf.Tensor) => tf.sum(tf.batchNorm(a, m, v, o, s)))(x));
    });
    tf.dispose([x, m, v, o, s]);
  });
});

/** Runs `f` on an empty primitive cache and checks neither a oneDNN primitive nor the addon's loops ran (the cpu kernel did). */
function onCpu<T>(f: () => T): T {
  loadOneDnn().clearCache();
  const loops = loadOneDnn().nativeLoops();
  const out = tf.tidy(() => f() as tf.Tensor) as T;
  expect(loadOneDnn().cacheSize(), 'no oneDNN primitive was used').toBe(0);
  expect(loadOneDnn().nativeLoops(), 'no native loop ran').toBe(loops);
  return out;
}
