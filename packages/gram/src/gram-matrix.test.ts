import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, ShapeError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { gramMatrix } from './gram-matrix';
import { numericGrad, refGram, relErr, seeded } from './__fixtures__/reference';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('gramMatrix', () => {
  it('matches a hand-computed case', () => {
    // positions (1,2) and (3,4): G = [[1+9, 2+12], [2+12, 4+16]]
    const a = tf.tensor3d([1, 2, 3, 4], [1, 2, 2]);
    const g = gramMatrix(a);
    expect(g.shape).toEqual([2, 2]);
    expect(Array.from(g.dataSync())).toEqual([10, 14, 14, 20]);
    expect(Array.from(gramMatrix(a, { normalize: 'positions' }).dataSync())).toEqual([5, 7, 7, 10]);
    expect(Array.from(gramMatrix(a, { normalize: 'all' }).dataSync())).toEqual([2.5, 3.5, 3.5, 5]);
    tf.dispose([a, g]);
  });

  it('matches the float64 reference on random layers, single and batched', () => {
    const [h, w, c] = [3, 4, 5];
    const v1 = seeded(h * w * c, 1);
    const v2 = seeded(h * w * c, 2);
    const t1 = tf.tensor3d(Float32Array.from(v1), [h, w, c]);
    const t2 = tf.tensor4d(Float32Array.from([...v1, ...v2]), [2, h, w, c]);
    const g = gramMatrix(t1);
    expect(relErr(g.dataSync(), refGram(v1, h, w, c))).toBeLessThan(1e-6);
    const gb = gramMatrix(t2);
    expect(gb.shape).toEqual([2, c, c]);
    const d = gb.dataSync();
    expect(relErr(d.slice(0, c * c), refGram(v1, h, w, c))).toBeLessThan(1e-6);
    expect(relErr(d.slice(c * c), refGram(v2, h, w, c))).toBeLessThan(1e-6);
    tf.dispose([t1, t2, g, gb]);
  });

  it('gives the same values and gradients when split into chunks', () => {
    const a = tf.tensor4d(Float32Array.from(seeded(2 * 4 * 3 * 6, 3)), [2, 4, 3, 6]);
    const weights = tf.tensor3d(Float32Array.from(seeded(2 * 36, 4)), [2, 6, 6]);
    const f = (chunkSize: number) => (x: tf.Tensor) => tf.sum(tf.mul(gramMatrix(x as tf.Tensor4D, { chunkSize }), weights));
    const whole = gramMatrix(a);
    const chunked = gramMatrix(a, { chunkSize: 5 }); // 12 positions → 5 + 5 + 2
    expect(relErr(chunked.dataSync(), whole.dataSync())).toBeLessThan(1e-6);
    const g1 = tf.grad(f(65536))(a);
    const g2 = tf.grad(f(5))(a);
    expect(relErr(g2.dataSync(), g1.dataSync())).toBeLessThan(1e-6);
    tf.dispose([a, weights, whole, chunked, g1, g2]);
  });

  it('has the gradient of finite differences', () => {
    const [h, w, c] = [2, 3, 4];
    const v = seeded(h * w * c, 5);
    const wts = seeded(c * c, 6);
    const f64 = (x: Float64Array) => refGram(x, h, w, c).reduce((s, g, i) => s + g * wts[i]!, 0);
    const fd = numericGrad(f64, v);
    const x = tf.tensor3d(Float32Array.from(v), [h, w, c]);
    const wt = tf.tensor2d(Float32Array.from(wts), [c, c]);
    const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gramMatrix(t as tf.Tensor3D), wt)))(x);
    expect(relErr(grad.dataSync(), fd)).toBeLessThan(1e-4);
    tf.dispose([x, wt, grad]);
  });

  it('refuses a wrong rank, a zero size, a non-tensor and a bad option, naming the argument', () => {
    const catchErr = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e;
      }
      throw new Error('did not throw');
    };
    const r2 = tf.zeros([3, 4]);
    const e1 = catchErr(() => gramMatrix(r2 as unknown as tf.Tensor3D));
    expect(ShapeError.isInstance(e1)).toBe(true);
    expect((e1 as ShapeError).argument).toBe('activations');
    expect((e1 as Error).message).toMatch(/\[3,4\].*expandDims/);
    const z = tf.zeros([0, 4, 2]);
    expect(ShapeError.isInstance(catchErr(() => gramMatrix(z as tf.Tensor3D)))).toBe(true);
    const e3 = catchErr(() => gramMatrix([1, 2] as unknown as tf.Tensor3D));
    expect(InvalidArgumentError.isInstance(e3)).toBe(true);
    const ok = tf.ones([2, 2, 2]) as tf.Tensor3D;
    const e4 = catchErr(() => gramMatrix(ok, { chunkSize: 0 }));
    expect((e4 as InvalidArgumentError).argument).toBe('options.chunkSize');
    const e5 = catchErr(() => gramMatrix(tf.ones([2, 2, 2], 'int32') as tf.Tensor3D));
    expect((e5 as Error).message).toMatch(/float32/);
    tf.dispose([r2, z, ok]);
  });

  it('leaks no tensors, chunked or not, with gradients', async () => {
    const a = tf.randomNormal([1, 5, 5, 3]) as tf.Tensor4D;
    await expectNoLeaks(() => gramMatrix(a));
    await expectNoLeaks(() => gramMatrix(a, { chunkSize: 4, normalize: 'all' }));
    await expectNoLeaks(() => tf.grad((x: tf.Tensor) => tf.sum(gramMatrix(x as tf.Tensor4D, { chunkSize: 7 })))(a));
    a.dispose();
  });
});
