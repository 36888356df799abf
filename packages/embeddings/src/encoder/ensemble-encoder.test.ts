import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, ShapeError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { createCompactEncoder } from './compact-encoder';
import { ensembleEncoder } from './ensemble-encoder';

beforeAll(async () => {
  await useBackend('cpu');
});

const make = (seed: number, embeddingSize = 6) => createCompactEncoder({ inputShape: [16, 16, 1], channels: [2, 2, 2, 2], embeddingSize, seed });

describe('ensembleEncoder', () => {
  it('concatenates the unit member embeddings over √M: squared distance = mean of the members\' squared distances', () => {
    const a = make(1), b = make(2, 4), c = make(3);
    const ens = ensembleEncoder([a, b, c]);
    expect(ens.embeddingSize).toBe(16);
    expect(ens.normalized).toBe(true);
    const x = tf.randomUniform([5, 16, 16, 1], 0, 1, 'float32', 7) as tf.Tensor4D;
    const e = ens.encode(x).arraySync();
    const unit = (m: ReturnType<typeof make>) => (m.encode(x).arraySync()).map((r) => { const n = Math.hypot(...r); return r.map((v) => v / n); });
    const parts = [unit(a), unit(b), unit(c)];
    const sq = (u: number[], v: number[]) => u.reduce((s, t, k) => s + (t - v[k]!) ** 2, 0);
    for (let i = 0; i < 5; i++) {
      expect(Math.hypot(...e[i]!)).toBeCloseTo(1, 5);
      expect(e[i]!.slice(6, 10)[0]).toBeCloseTo(parts[1]![i]![0]! / Math.sqrt(3), 5);
      for (let j = 0; j < i; j++) {
        const meanMembers = parts.reduce((s, p) => s + sq(p[i]!, p[j]!), 0) / 3;
        expect(sq(e[i]!, e[j]!)).toBeCloseTo(meanMembers, 5);
      }
    }
    expect(ens.trainableVariables().length).toBe(a.trainableVariables().length * 3);
    x.dispose();
    ens.dispose(); // disposes the members
    expect(() => a.encode(tf.zeros([1, 16, 16, 1]) as tf.Tensor4D)).toThrow();
  });

  it('leaks nothing and refuses bad members with typed errors', async () => {
    const a = make(1), b = make(2);
    const ens = ensembleEncoder([a, b]);
    const x = tf.zeros([2, 16, 16, 1]) as tf.Tensor4D;
    await expectNoLeaks(() => ens.encode(x));
    expect(() => ensembleEncoder([])).toThrow(InvalidArgumentError);
    expect(() => ensembleEncoder([a, {} as never])).toThrow(/members\[1\]/);
    expect(() => ensembleEncoder([a, a])).toThrow(/twice/);
    const other = createCompactEncoder({ inputShape: [20, 16, 1], channels: [2, 2, 2, 2], embeddingSize: 6, seed: 1 });
    expect(() => ensembleEncoder([a, other])).toThrow(ShapeError);
    expect(() => ensembleEncoder([a, Object.assign(Object.create(a) as object, { inputShape: [16, 16] }) as never])).toThrow(ShapeError); // a shorter shape with the same leading sizes
    expect(() => ens.encode(tf.zeros([16, 16, 1]) as never)).toThrow(ShapeError);
    other.dispose();
    x.dispose();
    ens.dispose();
  });
});
