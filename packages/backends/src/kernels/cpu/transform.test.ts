import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';

// Independent reference: inverse-map every output pixel with bilinear
// interpolation and a constant fill, one image at a time.
function reference(img: number[][][][], t: number[][], fill: number): number[][][][] {
  return img.map((im, b) => {
    const m = t.length === 1 ? t[0]! : t[b]!;
    const H = im.length, W = im[0]!.length, C = im[0]![0]!.length;
    const at = (y: number, x: number, c: number) => (y >= 0 && y < H && x >= 0 && x < W ? im[y]![x]![c]! : fill);
    return Array.from({ length: H }, (_, oy) =>
      Array.from({ length: W }, (_, ox) =>
        Array.from({ length: C }, (_, c) => {
          const p = m[6]! * ox + m[7]! * oy + 1;
          const x = (m[0]! * ox + m[1]! * oy + m[2]!) / p;
          const y = (m[3]! * ox + m[4]! * oy + m[5]!) / p;
          const x0 = Math.floor(x), y0 = Math.floor(y), dx = x - x0, dy = y - y0;
          return (1 - dy) * ((1 - dx) * at(y0, x0, c) + dx * at(y0, x0 + 1, c)) + dy * ((1 - dx) * at(y0 + 1, x0, c) + dx * at(y0 + 1, x0 + 1, c));
        }),
      ),
    );
  });
}

describe('cpu Transform (tf.image.transform) on batches', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('transforms every image of a batch, not only the first', () => {
    const data = Array.from({ length: 3 }, (_, b) =>
      Array.from({ length: 5 }, (_, y) => Array.from({ length: 4 }, (_, x) => [b * 100 + y * 10 + x, -x])),
    );
    const t = [
      [1, 0, 0.5, 0, 1, 0.25, 0, 0],
      [0.9, -0.1, 1, 0.1, 0.9, -0.5, 0, 0],
      [1, 0, -1, 0, 1, 1, 0, 0],
    ];
    const img = tf.tensor4d(data);
    const tt = tf.tensor2d(t);
    const out = tf.image.transform(img, tt, 'bilinear', 'constant', 7);
    const want = reference(data, t, 7).flat(3);
    const got = Array.from(out.dataSync());
    expect(out.shape).toEqual([3, 5, 4, 2]);
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 4));
    tf.dispose([img, tt, out]);
  });

  it('shares one transform across the batch and leaks nothing', async () => {
    const img = tf.randomUniform([4, 6, 6, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const tt = tf.tensor2d([[1, 0, 1, 0, 1, 0, 0, 0]]);
    await expectNoLeaks(() => tf.image.transform(img, tt));
    const out = tf.image.transform(img, tt);
    const want = reference(img.arraySync(), tt.arraySync(), 0).flat(3);
    Array.from(out.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
    tf.dispose([img, tt, out]);
  });
});
