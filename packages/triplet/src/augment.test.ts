import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { ShapeError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { flipAndShift } from './augment';

beforeAll(async () => {
  await useBackend('cpu');
});

const H = 5;
const W = 6;
const img = (seed: number) => Array.from({ length: H }, (_, y) => Array.from({ length: W }, (_, x) => seed * 100 + y * 10 + x + 1));
const shift = (m: number[][], dy: number, dx: number, flip: boolean) =>
  m.map((_, y) => m[0]!.map((__, x) => {
    const yy = y + dy;
    const xx = flip ? W - 1 - x + dx : x + dx; // a flipped output reads the shifted window right to left
    return yy < 0 || yy >= H || xx < 0 || xx >= W ? 0 : m[yy]![xx]!;
  }));

describe('flipAndShift', () => {
  it('flips exactly when asked to, with no shift', () => {
    const x = tf.tensor4d(img(1).flat(), [1, H, W, 1]);
    const y = (flipAndShift(x, { maxShift: 0, flipProbability: 1 }).arraySync() as number[][][][])[0]!.map((r) => r.map((c) => c[0]!));
    expect(y).toEqual(img(1).map((r) => [...r].reverse()));
  });

  it('each output is its input moved by an integer shift in [−s, s]², with zeros shifted in', () => {
    const inputs = [img(1), img(2), img(3), img(4)];
    const x = tf.tensor4d(inputs.flat(2) as number[], [4, H, W, 1]);
    for (const flip of [false, true]) {
      const y = flipAndShift(x, { maxShift: 2, flipProbability: flip ? 1 : 0, seed: 5 }).arraySync() as number[][][][];
      const shifts = new Set<string>();
      y.forEach((out, i) => {
        const o = out.map((r) => r.map((c) => Math.round(c[0]! * 1000) / 1000));
        let found = '';
        for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) {
          if (JSON.stringify(shift(inputs[i]!, dy, dx, flip)) === JSON.stringify(o)) found = `${dy},${dx}`;
        }
        expect(found).not.toBe('');
        shifts.add(found);
      });
      expect(shifts.size).toBeGreaterThan(1);
    }
  });

  it('refuses non-image input and leaks nothing', async () => {
    expect(() => flipAndShift(tf.zeros([2, 3]) as never)).toThrowError(ShapeError);
    const x = tf.zeros([2, H, W, 1]) as tf.Tensor4D;
    await expectNoLeaks(() => flipAndShift(x, { seed: 1 }));
    x.dispose();
  });
});
