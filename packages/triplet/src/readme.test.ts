import * as tf from '@tensorflow/tfjs-core';
import '@likeness/backends/cpu';
import { createCompactEncoder } from '@likeness/embeddings';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReadmeExample } from '../../../scripts/readme-example';

describe('README example', () => {
  it('runs as written: a P×K batch, one batch-hard triplet per anchor, the loss recomputed by brute force in float64', async () => {
    const { logs, cleanup } = await runReadmeExample(join(__dirname, '..'));
    cleanup();
    const [batch, triplets, loss] = logs[0] as [number[], number, number];
    const labels = Array.from({ length: 40 }, (_, i) => i % 8);
    const people = new Map<number, number>();
    for (const i of batch) people.set(labels[i]!, (people.get(labels[i]!) ?? 0) + 1);
    expect(batch).toHaveLength(12);
    expect(new Set(batch).size).toBe(12);
    expect([...people.values()]).toEqual([3, 3, 3, 3]);
    expect(triplets).toBe(12);

    // The same images and encoder weights (seeded), embedded here; batch-hard mined by brute force.
    const images = tf.randomUniform([40, 28, 23, 1], 0, 1, 'float32', 7);
    const encoder = createCompactEncoder({ inputShape: [28, 23, 1], seed: 1 });
    const x = tf.gather(images, batch);
    const out = encoder.encode(x as tf.Tensor4D);
    const e = out.arraySync() as number[][];
    tf.dispose([images, x, out]);
    encoder.dispose();
    const d = (a: number[], b: number[]) => a.reduce((s, v, k) => s + (v - b[k]!) ** 2, 0);
    let sum = 0;
    for (let a = 0; a < 12; a++) {
      let hardPos = -Infinity, hardNeg = Infinity;
      for (let j = 0; j < 12; j++) {
        if (j === a) continue;
        const dist = d(e[a]!, e[j]!);
        if (labels[batch[j]!] === labels[batch[a]!]) hardPos = Math.max(hardPos, dist);
        else hardNeg = Math.min(hardNeg, dist);
      }
      sum += Math.max(hardPos - hardNeg + 0.2, 0);
    }
    expect(loss).toBeCloseTo(sum / 12, 5);
  });
});
