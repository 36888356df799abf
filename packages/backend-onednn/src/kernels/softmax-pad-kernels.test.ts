import '@likeness/backends/cpu';
import { expectNoLeaks, seededValues } from '@likeness/backends/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeOnOneDnn, onOneDnn } from '../../test/availability';
import { relativeError } from '../../test/reference-conv';
import '../index';
import { loadOneDnn } from '../native';

describeOnOneDnn('oneDNN softmax and pad against float64', () => {

  it('softmax over the last axis, large logits included', () => {
    const [rows, cols] = [60, 100];
    const v = seededValues(rows * cols, 1800, -30, 30);
    const x = tf.tensor3d(v, [3, 20, cols]);
    const y = onOneDnn(() => tf.softmax(x));
    const ref = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      let m = -Infinity;
      for (let c = 0; c < cols; c++) m = Math.max(m, v[r * cols + c]!);
      let s = 0;
      for (let c = 0; c < cols; c++) s += Math.exp(v[r * cols + c]! - m);
      for (let c = 0; c < cols; c++) ref[r * cols + c] = Math.exp(v[r * cols + c]! - m) / s;
    }
    expect(y.shape).toEqual([3, 20, cols]);
    expect(relativeError(y.dataSync(), ref)).toBeLessThan(2e-6);
    tf.dispose([x, y]);
  });

  it('pad with a constant, asymmetric paddings on every axis', () => {
    const shape = [2, 17, 19, 5];
    const pads: [number, number][] = [[0, 1], [2, 3], [1, 0], [0, 2]];
    const v = seededValues(shape.reduce((a, b) => a * b), 1801);
    const x = tf.tensor4d(v, shape as [number, number, number, number]);
    const y = onOneDnn(() => tf.pad(x, pads, 0.5));
    const out = shape.map((d, i) => d + pads[i]![0] + pads[i]![1]);
    expect(y.shape).toEqual(out);
    const got = y.dataSync();
    const at = (i: number[], s: number[]) => i.reduce((o, k, d) => o * s[d]! + k, 0);
    let checked = 0;
    for (let n = 0; n < out[0]!; n++)
      for (let h = 0; h < out[1]!; h++)
        for (let w = 0; w < out[2]!; w++)
          for (let c = 0; c < out[3]!; c++) {
            const src = [n - pads[0]![0], h - pads[1]![0], w - pads[2]![0], c - pads[3]![0]];
            const inside = src.every((k, d) => k >= 0 && k < shape[d]!);
            expect(got[at([n, h, w, c], out)]).toBe(inside ? v[at(src, shape)] : 0.5);
            checked++;
          }
    expect(checked).toBe(got.length);
    tf.dispose([x, y]);
  });

  it('leaves small tensors and int32 to the cpu kernels', () => {
    loadOneDnn().clearCache();
    const s = tf.softmax(tf.tensor1d([0, Math.log(3)]));
    const p = tf.pad(tf.fill([70, 70], 2, 'int32'), [[1, 1], [1, 1]]);
    expect(loadOneDnn().cacheSize()).toBe(0);
    expect(relativeError(s.dataSync(), [0.25, 0.75])).toBeLessThan(1e-6);
    expect(p.dtype).toBe('int32');
    expect(p.shape).toEqual([72, 72]);
    tf.dispose([s, p]);
  });

  it('leaks no tensors, through the gradients too', async () => {
    const x = tf.randomNormal([8, 30, 40]);
    await expectNoLeaks(() => {
      tf.dispose(tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.softmax(tf.pad(a, [[0, 0], [1, 1], [2, 2]])), tf.scalar(3))))(x));
    });
    x.dispose();
  });
});
