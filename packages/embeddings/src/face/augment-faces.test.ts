import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, ShapeError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { augmentationTransform, augmentFaces, augmentFacesParams } from './augment-faces';

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

  it('rotation and zoom: hand-checked warps (90° turn of a square, 2× zoom about the centre)', () => {
    const sq = tf.tensor4d(Array.from({ length: 25 }, (_, i) => i), [1, 5, 5, 1]);
    const warp = (q: Parameters<typeof augmentationTransform>[0], interp: 'nearest' | 'bilinear') =>
      (tf.image.transform(sq, tf.tensor2d(augmentationTransform(q, 5, 5), [1, 8]), interp, 'constant', 0).arraySync() as number[][][][])[0]!;
    const base = { flip: false, dx: 0, dy: 0, contrast: 0, brightness: 0, scale: 1 };
    const turned = warp({ ...base, rotation: 90 }, 'nearest');
    for (let y = 0; y < 5; y++) for (let x = 0; x < 5; x++) expect(turned[y]![x]![0]).toBeCloseTo(5 * (4 - x) + y, 4); // out[y][x] = in[4 − x][y]
    const zoomed = warp({ ...base, rotation: 0, scale: 2 }, 'bilinear');
    expect(zoomed[2]![2]![0]).toBeCloseTo(12, 4); // the centre stays
    expect(zoomed[2]![3]![0]).toBeCloseTo(12.5, 4); // one pixel right samples half-way: (12 + 13) / 2
    expect(zoomed[1]![2]![0]).toBeCloseTo(9.5, 4); // one up: (7 + 12) / 2
    // flipped + shifted without rotation: the integer warp of the earlier versions
    expect(augmentationTransform({ ...base, rotation: 0, flip: true, dx: 2, dy: -1 }, 9, 7)).toEqual([-1, -0, 6 + 2, -0, 1, 1, 0, 0].map((v) => expect.closeTo(v, 9)));
    sq.dispose();
  });

  it('with rotation and zoom on: each image is its own warp (bilinear, edge fill), draws unchanged for the old options', () => {
    const x = input();
    const xs = x.arraySync() as number[][][][];
    const opts = { seed: 4, maxShift: 1, brightness: 0, rotation: 15, scale: 0.2, fill: 'edge' as const };
    const p = augmentFacesParams(N, opts);
    expect(p.every((q) => Math.abs(q.rotation) <= 15 && q.scale >= 0.8 && q.scale <= 1.2)).toBe(true);
    expect(p.some((q) => Math.abs(q.rotation) > 1 && Math.abs(q.scale - 1) > 0.01)).toBe(true);
    // the first five draws per image are the old ones when rotation/scale are off
    const old = augmentFacesParams(N, { seed: 4, maxShift: 1, brightness: 0 });
    expect(old.map((q) => [q.rotation, q.scale])).toEqual(old.map(() => [0, 1]));
    const got = augmentFaces(x, opts).arraySync() as number[][][][];
    const at = (n: number, yy: number, xx: number, c: number) => xs[n]![Math.min(H - 1, Math.max(0, yy))]![Math.min(W - 1, Math.max(0, xx))]![c]!;
    for (let n = 0; n < N; n++) {
      const [a0, a1, a2, b0, b1, b2] = augmentationTransform(p[n]!, H, W) as [number, number, number, number, number, number];
      for (let y = 0; y < H; y++) for (let xx = 0; xx < W; xx++) for (let c = 0; c < C; c++) {
        const sx = a0 * xx + a1 * y + a2, sy = b0 * xx + b1 * y + b2;
        const x0 = Math.floor(sx), y0 = Math.floor(sy), fx = sx - x0, fy = sy - y0;
        const v = (1 - fy) * ((1 - fx) * at(n, y0, x0, c) + fx * at(n, y0, x0 + 1, c)) + fy * ((1 - fx) * at(n, y0 + 1, x0, c) + fx * at(n, y0 + 1, x0 + 1, c));
        expect(got[n]![y]![xx]![c]).toBeCloseTo(Math.min(1, Math.max(0, v)), 4);
      }
    }
    x.dispose();
  });

  it('leaks nothing and throws typed errors', async () => {
    const x = input();
    await expectNoLeaks(() => augmentFaces(x, { seed: 1 }));
    expect(() => augmentFaces(tf.zeros([2, 2]) as unknown as tf.Tensor4D)).toThrow(ShapeError);
    expect(() => augmentFaces(x, { maxShift: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => augmentFaces(x, { brightness: 2 })).toThrow(InvalidArgumentError);
    expect(() => augmentFaces(x, { rotation: -5 })).toThrow(/options\.rotation/);
    expect(() => augmentFaces(x, { scale: 1 })).toThrow(/options\.scale/);
    expect(() => augmentFaces(x, { fill: 'mirror' as never })).toThrow(/options\.fill/);
    await expectNoLeaks(() => augmentFaces(x, { seed: 2, rotation: 10, scale: 0.1, fill: 'edge' }));
    x.dispose();
  });
});
