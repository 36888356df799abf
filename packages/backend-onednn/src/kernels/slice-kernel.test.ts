import '@likeness/backends/cpu';
import { expectNoLeaks, seededValues } from '@likeness/backends/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeOnOneDnn } from '../../test/availability';
import '../index';
import { loadOneDnn } from '../native';

const SHAPE = [2, 30, 40, 12];

/** x[begin : begin + size] by brute force over the row-major index. */
function referenceSlice(v: Float32Array, shape: number[], begin: number[], size: number[]): number[] {
  const out: number[] = [];
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, q) => p * q, 1));
  const walk = (axis: number, offset: number) => {
    if (axis === shape.length) {
      out.push(v[offset]!);
      return;
    }
    for (let i = 0; i < size[axis]!; i++) walk(axis + 1, offset + (begin[axis]! + i) * strides[axis]!);
  };
  walk(0, 0);
  return out;
}

describeOnOneDnn('oneDNN slice against a brute-force walk', () => {
  const v = seededValues(SHAPE.reduce((p, q) => p * q), 1600);

  const cases: [number[], number[]][] = [
    [[0, 3, 5, 0], [2, 20, 30, 12]], // a window of an image batch
    [[1, 0, 0, 2], [1, 30, 40, 8]], // channels 2..9 of the second image
    [[0, 1, 0, 0], [-1, 25, -1, -1]], // -1: to the end
  ];
  for (const [begin, size] of cases) {
    it(`x[${begin.join(',')} : +${size.join(',')}]`, () => {
      const x = tf.tensor(v, SHAPE);
      loadOneDnn().clearCache();
      const y = tf.slice(x, begin, size);
      expect(loadOneDnn().cacheSize(), 'a oneDNN reorder was used').toBeGreaterThan(0);
      const full = size.map((s, i) => (s === -1 ? SHAPE[i]! - begin[i]! : s));
      expect(y.shape).toEqual(full);
      expect(Array.from(y.dataSync())).toEqual(referenceSlice(v, SHAPE, begin, full));
      tf.dispose([x, y]);
    });
  }

  it('slices int32 tensors (images) exactly', () => {
    const big = Int32Array.from(v, (f) => Math.round(f * 2 ** 30));
    const x = tf.tensor(big, SHAPE, 'int32');
    loadOneDnn().clearCache();
    const y = tf.slice(x, [0, 1, 2, 3], [2, 25, 30, 9]);
    expect(loadOneDnn().cacheSize(), 'a oneDNN reorder was used').toBeGreaterThan(0);
    expect(y.dtype).toBe('int32');
    expect(Array.from(y.dataSync())).toEqual(referenceSlice(big as unknown as Float32Array, SHAPE, [0, 1, 2, 3], [2, 25, 30, 9]));
    tf.dispose([x, y]);
  });

  it('leaves contiguous slices (a view), small slices and bool to the cpu kernel, and bad bounds to its error', () => {
    const x = tf.tensor(v, SHAPE);
    const bools = tf.greater(x, 0);
    loadOneDnn().clearCache();
    const rows = tf.slice(x, [1, 0, 0, 0], [1, 30, 40, 12]);
    const small = tf.slice(x, [0, 0, 0, 0], [1, 2, 2, 12]);
    const b = tf.slice(bools, [0, 0, 0, 1], [2, 30, 40, 10]);
    expect(loadOneDnn().cacheSize()).toBe(0);
    expect(Array.from(rows.dataSync())).toEqual(referenceSlice(v, SHAPE, [1, 0, 0, 0], [1, 30, 40, 12]));
    expect(b.dtype).toBe('bool');
    expect(() => tf.slice(x, [0, 20, 0, 0], [1, 20, 40, 12])).toThrow(/slice/i);
    tf.dispose([x, bools, rows, small, b]);
  });

  it('leaks no tensors, through its gradient too', async () => {
    const x = tf.tensor(v, SHAPE);
    await expectNoLeaks(() => {
      tf.dispose(tf.grad((a: tf.Tensor) => tf.sum(tf.slice(a, [0, 2, 2, 0], [2, 20, 20, 12])))(x));
    });
    x.dispose();
  });
});
