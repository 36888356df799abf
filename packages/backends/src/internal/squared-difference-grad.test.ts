import * as tf from '@tensorflow/tfjs-core';
import { squaredDifferenceGradConfig as tfjsOwn } from '@tensorflow/tfjs-core/dist/gradients/SquaredDifference_grad';
import { beforeAll, describe, expect, it } from 'vitest';
import '../cpu';
import { useBackend } from '../use-backend';
import { expectNoLeaks } from '../testing/expect-no-leaks';
import { seededValues } from '../testing/seeded-values';
import { squaredDifferenceGradConfig } from './squared-difference-grad';

beforeAll(async () => {
  await useBackend('cpu');
});

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

describe('squared-difference gradient', () => {
  it('is the gradient tf.grad uses once a backend entry is imported', () => {
    expect(tf.getGradient('SquaredDifference')).toBe(squaredDifferenceGradConfig);
  });

  it("equals tfjs-core 4.22's own where nothing is broadcast", () => {
    // equal entries (a − b = 0) where dy is positive and negative: the signs of the zeros must match tfjs's too
    const a = tf.tensor([...seededValues(4, 1), 0.5, -1.5], [2, 3]);
    const b = tf.tensor([...seededValues(4, 2), 0.5, -1.5], [2, 3]);
    const dy = tf.tensor([...seededValues(4, 3), 2, -3], [2, 3]);
    const ours = squaredDifferenceGradConfig.gradFunc(dy, [a, b], {});
    const theirs = tfjsOwn.gradFunc(dy, [a, b], {});
    for (const k of ['a', 'b']) {
      // exactly, signed zeros included (toEqual tells −0 from +0)
      expect(Array.from(ours[k]!().dataSync())).toEqual(Array.from(theirs[k]!().dataSync()));
    }
    tf.dispose([a, b, dy]);
  });

  const cases: [number[], number[]][] = [
    [[2, 3], [3]],
    [[3], [2, 3]],
    [[2, 1, 3], [1, 4, 1]],
    [[2, 3, 3, 2], [2]],
    [[4], []],
  ];
  for (const [aShape, bShape] of cases) {
    it(`matches central finite differences: a ${JSON.stringify(aShape)}, b ${JSON.stringify(bShape)}`, () => {
      const a = tf.tensor(seededValues(size(aShape), 10), aShape);
      const b = tf.tensor(seededValues(size(bShape), 11), bShape);
      const outShape = tf.broadcastTo(tf.zeros(aShape), tf.broadcast_util.assertAndGetBroadcastShape(aShape, bShape)).shape;
      const w = tf.tensor(seededValues(size(outShape), 12), outShape);
      const f = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.squaredDifference(x, y), w));
      const [da, db] = tf.grads(f)([a, b]);
      expect(da!.shape).toEqual(aShape);
      expect(db!.shape).toEqual(bShape);
      [a, b].forEach((t, k) => {
        const g = (k === 0 ? da : db)!.dataSync();
        const orig = t.dataSync().slice();
        for (const idx of [0, t.size - 1]) {
          const at = (delta: number) => {
            const p = orig.slice();
            p[idx]! += delta;
            const moved = tf.tensor(p, t.shape);
            const v = tf.tidy(() => (k === 0 ? f(moved, b) : f(a, moved)).dataSync()[0]!);
            moved.dispose();
            return v;
          };
          const h = 1e-2;
          expect(g[idx]!).toBeCloseTo((at(h) - at(-h)) / (2 * h), 2);
        }
      });
      tf.dispose([a, b, w, da!, db!]);
    });
  }

  it('leaks nothing', async () => {
    const a = tf.tensor(seededValues(12, 4), [4, 3]);
    const b = tf.tensor(seededValues(3, 5), [3]);
    await expectNoLeaks(() => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.squaredDifference(x, y)))([a, b]));
    tf.dispose([a, b]);
  });
});
