import '@likeness/backends/cpu';
import { expectNoLeaks, seededValues } from '@likeness/backends/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeOnOneDnn } from '../../test/availability';
import '../index';

describeOnOneDnn('unsortedSegmentSum on the oneDNN backend against a float64 sum', () => {

  it('sums rows by id, dropping ids outside [0, numSegments)', () => {
    const [n, d, segments] = [30, 7, 6];
    const v = seededValues(n * d, 1700);
    const ids = Int32Array.from({ length: n }, (_, i) => ((i * 7) % 9) - 1); // -1 … 7: some out of range
    const x = tf.tensor2d(v, [n, d]);
    const y = tf.unsortedSegmentSum(x, tf.tensor1d(ids, 'int32'), segments);
    const ref = new Float64Array(segments * d);
    ids.forEach((s, i) => {
      if (s >= 0 && s < segments) for (let j = 0; j < d; j++) ref[s * d + j]! += v[i * d + j]!;
    });
    expect(y.shape).toEqual([segments, d]);
    const got = y.dataSync();
    ref.forEach((r, k) => expect(got[k]).toBeCloseTo(r, 5));
    tf.dispose([x, y]);
  });

  it("gives tf.gather's gradient (repeated indices add up)", () => {
    const x = tf.tensor2d(seededValues(5 * 4, 1701), [5, 4]);
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.gather(a, tf.tensor1d([0, 2, 2, 4, 0, 0], 'int32'))))(x);
    expect(Array.from(g.dataSync())).toEqual([3, 3, 3, 3, 0, 0, 0, 0, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 1, 1]);
    tf.dispose([x, g]);
  });

  it('leaves int32 values to the cpu kernel (which returns them as float32)', () => {
    const y = tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3], 'int32'), tf.tensor1d([1, 1, 0], 'int32'), 2);
    expect(Array.from(y.dataSync())).toEqual([3, 3]);
    y.dispose();
  });

  it('leaks no tensors', async () => {
    const x = tf.randomNormal([20, 8]);
    const ids = tf.tensor1d(Array.from({ length: 20 }, (_, i) => i % 3), 'int32');
    await expectNoLeaks(() => {
      tf.dispose(tf.unsortedSegmentSum(x, ids, 3));
    });
    tf.dispose([x, ids]);
  });
});
