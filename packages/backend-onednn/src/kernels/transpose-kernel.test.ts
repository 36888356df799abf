import '@likeness/backends/cpu';
import { useBackend } from '@likeness/backends';
import { expectNoLeaks, seededValues } from '@likeness/backends/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeOnOneDnn } from '../../test/availability';
import '../index';

/** Brute force through coordinates: out at coordinates c has x at coordinates c' with c'[perm[k]] = c[k]. */
function reference(v: ArrayLike<number>, shape: number[], perm: number[]): number[] {
  const outShape = perm.map((p) => shape[p]!);
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Array<number>(size);
  for (let i = 0; i < size; i++) {
    const c: number[] = [];
    for (let a = outShape.length - 1, r = i; a >= 0; a--) {
      c[a] = r % outShape[a]!;
      r = Math.floor(r / outShape[a]!);
    }
    const src: number[] = [];
    perm.forEach((p, k) => (src[p] = c[k]!));
    out[i] = v[src.reduce((acc, x, a) => acc * shape[a]! + x, 0)]!;
  }
  return out;
}

describeOnOneDnn('transpose on the oneDNN backend against a coordinate-by-coordinate reference', () => {
  const cases: [number[], number[]][] = [
    [[1, 7, 5], [0, 2, 1]],
    [[6, 4], [1, 0]],
    [[2, 3, 4, 5], [3, 1, 0, 2]],
    [[2, 3, 4, 5], [0, 1, 2, 3]],
    [[3, 1, 2, 2, 3], [4, 2, 0, 3, 1]],
    [[9], [0]],
  ];
  for (const [shape, perm] of cases) {
    it(`permutes [${shape.join(', ')}] by [${perm.join(', ')}]: float32, int32 and bool, with tf.transpose's gradient`, async () => {
      await useBackend('onednn', { allowSwitchWithTensors: true });
      const size = shape.reduce((a, b) => a * b, 1);
      const v = seededValues(size, 1900 + size);
      const x = tf.tensor(v, shape);
      const y = tf.transpose(x, perm);
      expect(y.shape).toEqual(perm.map((p) => shape[p]));
      expect(Array.from(y.dataSync())).toEqual(reference(v, shape, perm));
      const ints = tf.tensor(Int32Array.from(v, (t) => Math.round(t * 100)), shape, 'int32');
      expect(Array.from(tf.transpose(ints, perm).dataSync())).toEqual(reference(ints.dataSync(), shape, perm));
      const bools = tf.greater(x, 0);
      expect(Array.from(tf.transpose(bools, perm).dataSync())).toEqual(reference(bools.dataSync(), shape, perm));
      // the gradient is the inverse permutation
      const w = tf.tensor(seededValues(size, 1950), y.shape);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.transpose(t, perm), w)))(x);
      const inverse = perm.map((_, a) => perm.indexOf(a));
      expect(Array.from(g.dataSync())).toEqual(reference(w.dataSync(), y.shape, inverse));
      await expectNoLeaks(() => tf.transpose(x, perm));
      tf.dispose([x, y, ints, bools, w, g]);
    });
  }
});
