import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, ShapeError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { augmentFaces, augmentFacesParams } from './augment-faces';

beforeAll(async () => {
  await useBackend('cpu');
});

const N = 6, H = 9, W = 7, C = 2;
const input = () => tf.tidy(() => tf.reshape(tf.div(tf.add(tf.range(0, N * H * W * C), 1), N * H * W * C + 1), [N, H, W, C]) as tf.Tensor4D);

describe('augmentFaces', () => {
  it('equals a brute-force flip + shift + brightness per image', () => {
    const x = input();
    const xs = x.arraySync() as number[][][][];
    const opts = { seed: 3, maxShift: 2, brightness: 0.2 };
    const p = augmentFacesParams(N, opts);
    expect(p.some((q) => q.flip) && p.some((q) => !q.flip)).toBe(true);
    expect(p.some((q) => q.dx !== 0 || q.dy !== 0)).toBe(true);
    const got = augmentFaces(x, opts).arraySync() as number[][][][];
    for (let n = 0; n < N; n++) {
      const q = p[n]!;
      for (let y = 0; y < H; y++) for (let xx = 0; xx < W; xx++) for (let c = 0; c < C; c++) {
        const sx = q.flip ? W - 1 - (xx - q.dx) : xx - q.dx, sy = y - q.dy;
        const v = sx >= 0 && sx < W && sy >= 0 && sy < H ? xs[n]![sy]![sx]![c]! : 0;
        const want = Math.min(1, Math.max(0, v * (1 + q.contrast) + q.brightness));
        expect(got[n]![y]![xx]![c]).toBeCloseTo(want, 5);
      }
    }
    x.dispose();
  });

  it('is deterministic in the seed and the identity when everything is off', () => {
    const x = input();
    const a = augmentFaces(x, { seed: 5 }), b = augmentFaces(x, { seed: 5 });
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0])).toBe(0);
    const id = augmentFaces(x, { flip: false, maxShift: 0, brightness: 0 });
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(id, x))).dataSync()[0])).toBe(0);
    tf.dispose([a, b, id, x]);
  });

  it('leaks nothing and throws typed errors', async () => {
    const x = input();
    await expectNoLeaks(() => augmentFaces(x, { seed: 1 }));
    expect(() => augmentFaces(tf.zeros([2, 2]) as unknown as tf.Tensor4D)).toThrow(ShapeError);
    expect(() => augmentFaces(x, { maxShift: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => augmentFaces(x, { brightness: 2 })).toThrow(InvalidArgumentError);
    x.dispose();
  });
});
