import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@likeness/backends';
import '@likeness/backends/cpu';
import { loadDefaultExtractor } from '@likeness/nst/node';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RgbImage } from './image-io';
import { fromUnitTensor, splitIterations, stylise, toUnitTensor } from './stylise';

function image(w: number, h: number, f: (x: number, y: number) => [number, number, number]): RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(f(x, y), (y * w + x) * 3);
  return { data, width: w, height: h };
}

beforeAll(async () => {
  await useBackend('cpu');
});

describe('stylise', () => {
  it('splitIterations: ∝ 1/scale, parts summing to the total (hand-computed)', () => {
    expect(splitIterations(100, [0.5, 1])).toEqual([67, 33]);
    expect(splitIterations(3, [0.5, 1])).toEqual([2, 1]);
    expect(splitIterations(70, [0.25, 0.5, 1])).toEqual([40, 20, 10]);
    expect(splitIterations(5, [1])).toEqual([5]);
  });

  it('bytes ↔ unit tensors round-trip exactly, and stylise (two blended styles, intermediates) leaks no tensor', async () => {
    const content = image(40, 32, (x, y) => [x * 6, 255 - y * 12, 77]);
    const t = toUnitTensor(content);
    expect((await fromUnitTensor(t)).data).toEqual(content.data);
    t.dispose();
    const extractor = await loadDefaultExtractor();
    try {
      const before = tf.memory().numTensors;
      const seen: number[] = [];
      const out = await stylise(content, [image(24, 24, (x) => (x % 4 < 2 ? [255, 0, 0] : [0, 0, 255])), image(24, 24, () => [9, 200, 9])], {
        extractor,
        iterations: 3,
        styleBlendWeights: [1, 2],
        preserveColors: true,
        imageEvery: 1,
        onImage: (done, img) => void seen.push(done, img.width),
      });
      expect([out.width, out.height, out.data.length]).toEqual([40, 32, 40 * 32 * 3]);
      expect(seen).toEqual([1, 20, 2, 20]); // iterations 1–2 of the 2:1 split run at scale 0.5 (20 px wide);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      extractor.dispose();
    }
  });
});
