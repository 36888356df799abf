import '@likeness/backends/cpu';
import { expectNoLeaks, seededValues } from '@likeness/backends/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeOnOneDnn } from '../../test/availability';
import '../index';

/** Brute force: out[loc] = x[loc with each reversed axis mirrored], through coordinates. */
function reference(v: ArrayLike<number>, shape: number[], dims: number[]): number[] {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Array<number>(size);
  for (let i = 0; i < size; i++) {
    const loc: number[] = [];
    for (let a = shape.length - 1, r = i; a >= 0; a--) {
      loc[a] = r % shape[a]!;
      r = Math.floor(r / shape[a]!);
    }
    let src = 0;
    for (let a = 0; a < shape.length; a++) src = src * shape[a]! + (dims.includes(a) ? shape[a]! - 1 - loc[a]! : loc[a]!);
    out[i] = v[src]!;
  }
  return out;
}

describeOnOneDnn('reverse on the oneDNN backend against a coordinate-by-coordinate reference', () => {
  const shape = [2, 5, 6, 3];
  const cases: number[][] = [[3], [0], [1, 2], [0, 3], [2], [0, 1, 2, 3], [-1], []];
  for (const dims of cases) {
    it(`reverses axes [${dims.join(', ')}] of a float32 [${shape.join(', ')}]`, () => {
      const v = seededValues(shape.reduce((a, b) => a * b, 1), 1800 + dims.length);
      const x = tf.tensor4d(v, shape as [number, number, number, number]);
      const y = tf.reverse(x, dims);
      const axes = dims.map((d) => (d < 0 ? d + shape.length : d));
      expect(y.shape).toEqual(shape);
      expect(Array.from(y.dataSync())).toEqual(reference(Float32Array.from(v), shape, axes));
      tf.dispose([x, y]);
    });
  }

  it('reverses int32 values and keeps the dtype', () => {
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32');
    const y = tf.reverse(x, 1);
    expect(y.dtype).toBe('int32');
    expect(Array.from(y.dataSync())).toEqual([3, 2, 1, 6, 5, 4]);
    tf.dispose([x, y]);
  });

  it("gives tf.reverse's gradient (the reversed upstream gradient)", () => {
    const x = tf.tensor3d(seededValues(4 * 3 * 2, 1810), [4, 3, 2]);
    const w = tf.tensor3d(seededValues(4 * 3 * 2, 1811), [4, 3, 2]);
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.reverse(a, [0, 2]), w)))(x);
    expect(Array.from(g.dataSync())).toEqual(reference(w.dataSync(), [4, 3, 2], [0, 2]));
    tf.dispose([x, w, g]);
  });

  it('leaks no tensors or backend data, through its gradient and on int32 too', async () => {
    const x = tf.randomNormal([1, 64, 64, 3]);
    const w = tf.randomNormal([1, 64, 64, 3]);
    const ints = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32');
    await expectNoLeaks(() => {
      tf.dispose(tf.reverse(x, -1));
      tf.dispose(tf.reverse(x, [1, 2]));
      tf.dispose(tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.reverse(a, [0, 3]), w)))(x));
      tf.dispose(tf.reverse(ints, 1));
    });
    tf.dispose([x, w, ints]);
  });
});
