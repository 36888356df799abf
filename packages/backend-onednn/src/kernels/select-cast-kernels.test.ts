import '@likeness/backends/cpu';
import { expectNoLeaks, seededValues } from '@likeness/backends/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeOnOneDnn } from '../../test/availability';
import '../index';
import { loadOneDnn } from '../native';

const SHAPE: [number, number] = [60, 100]; // 6000 elements: above ELEMENTWISE_MIN_SIZE

describeOnOneDnn('select and cast on the oneDNN backend', () => {

  it('tf.where picks t where the condition holds, e elsewhere (the native loop)', () => {
    const t = seededValues(6000, 801);
    const e = seededValues(6000, 802);
    const c = Uint8Array.from(seededValues(6000, 803), (v) => (v > 0 ? 1 : 0));
    const before = loadOneDnn().nativeLoops();
    const y = tf.where(tf.tensor(c, SHAPE, 'bool'), tf.tensor(t, SHAPE), tf.tensor(e, SHAPE));
    expect(loadOneDnn().nativeLoops()).toBeGreaterThan(before);
    expect(Array.from(y.dataSync())).toEqual(Array.from(t, (v, i) => (c[i] ? v : e[i]!)));
    y.dispose();
  });

  it('tf.where with a smaller condition (broadcast by tfjs) still matches', () => {
    const t = seededValues(6000, 804);
    const c = [true, false, ...Array<boolean>(98).fill(true)];
    const y = tf.where(tf.tensor1d(c, 'bool'), tf.tensor(t, SHAPE), tf.zeros(SHAPE));
    const got = y.dataSync();
    t.forEach((v, i) => expect(got[i]).toBe(c[i % 100] ? v : 0));
    y.dispose();
  });

  it('casts bool and int32 to real float32 storage with the same values', () => {
    const bools = Uint8Array.from(seededValues(6000, 805), (v) => (v > 0 ? 1 : 0));
    const ints = Int32Array.from(seededValues(6000, 806, -1e6, 1e6), Math.round);
    for (const [src, dtype] of [
      [bools, 'bool'],
      [ints, 'int32'],
    ] as const) {
      const y = tf.cast(tf.tensor(src, SHAPE, dtype), 'float32');
      expect(y.dtype).toBe('float32');
      const stored = (tf.engine().backend as unknown as { data: { get(id: unknown): { values: unknown } } }).data.get(y.dataId).values;
      expect(stored).toBeInstanceOf(Float32Array);
      expect(Array.from(y.dataSync())).toEqual(Array.from(src));
      y.dispose();
    }
  });

  it('leaves other casts to the cpu kernel (float32 → int32 truncates, → bool)', () => {
    const v = Float32Array.of(...Array.from({ length: 6000 }, (_, i) => (i % 7) - 3.5));
    const x = tf.tensor(v, SHAPE);
    expect(Array.from(tf.cast(x, 'int32').dataSync())).toEqual(Array.from(v, (t) => Math.trunc(t) | 0));
    expect(Array.from(tf.cast(x, 'bool').dataSync())).toEqual(Array.from(v, (t) => (t !== 0 ? 1 : 0)));
    x.dispose();
  });

  it('leaks no tensors', async () => {
    const c = tf.tensor(Uint8Array.from({ length: 6000 }, (_, i) => i % 2), SHAPE, 'bool');
    const x = tf.ones(SHAPE);
    await expectNoLeaks(() => {
      tf.tidy(() => [tf.where(c, x, tf.neg(x)), tf.cast(c, 'float32')]).forEach((t) => t.dispose());
    });
    tf.dispose([c, x]);
  });
});
