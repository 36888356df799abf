import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { ShapeError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { createNsfwjsExtractor, NSFWJS_LAST_LAYER, type NsfwjsModel } from '../backbones/nsfwjs';
import { loadNsfwjsArtifacts } from '../node/nsfwjs-files';
import { compileKerasGraph } from './keras-graph';
import { decodeArtifacts } from './weights';
import { styleTransfer } from '../run-style-transfer';
import { createStyleTransfer } from '../style-transfer';
import { gradientImage } from '../__fixtures__/tiny-extractor';

const artifacts = {} as Record<NsfwjsModel, tf.io.ModelArtifacts>;

beforeAll(async () => {
  await useBackend('cpu');
  artifacts.mobilenet_v2 = await loadNsfwjsArtifacts('mobilenet_v2');
  artifacts.inception_v3 = await loadNsfwjsArtifacts('inception_v3');
});

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

/*
 * Hand derivations (output side of a valid k×k stride-s window: floor((n−k)/s)+1, needs n ≥ k):
 * - mobilenet_v2 to block_10: four stride-2 stages (Conv1, block_1, block_3, block_6), each
 *   ZeroPadding (0,1) + 3×3 valid stride 2, i.e. m → floor((m−2)/2)+1, needs m ≥ 2.
 *   Backwards from 1: 2 ← 4 ← 8 ← 16. Conv1_relu alone: 2.
 * - inception_v3 to mixed3/mixed5: mixed3 (3×3 s2 valid) needs 3; max_pool 3×3 s2 → 7;
 *   conv 3×3 valid → 9; conv 1×1 → 9; max_pool 3×3 s2 → 19; conv same → 19; conv 3×3 valid → 21;
 *   conv 3×3 s2 valid → 43 (the Node CLI's INCEPTION_MIN_SIDE).
 */
const cases: { model: NsfwjsModel; layers: string[]; min: number }[] = [
  { model: 'mobilenet_v2', layers: ['Conv1_relu'], min: 2 },
  { model: 'mobilenet_v2', layers: ['block_6_expand_relu', 'block_10_expand_relu'], min: 16 },
  { model: 'inception_v3', layers: ['activation_1', 'mixed3'], min: 43 },
];

describe('minimum input side of the nsfwjs backbones', () => {
  it.each(cases)('$model $layers: minInputSide = $min (hand-derived from the layers)', ({ model, layers, min }) => {
    const ex = createNsfwjsExtractor(artifacts[model], { model });
    expect(ex.minInputSide!(layers)).toBe(min);
    ex.dispose();
  });

  it('whole extractors: mobilenet_v2 16, inception_v3 43 (up to mixed5)', () => {
    for (const [model, min] of [['mobilenet_v2', 16], ['inception_v3', 43]] as const) {
      const ex = createNsfwjsExtractor(artifacts[model], { model });
      expect(ex.minInputSide!()).toBe(min);
      ex.dispose();
    }
  });

  it.each(cases)('$model runs at $min px and refuses one px less with a ShapeError naming images (no leak)', async ({ model, layers, min }) => {
    const ex = createNsfwjsExtractor(artifacts[model], { model });
    const ok = tf.randomUniform([1, min, min + 3, 3]) as tf.Tensor4D;
    const acts = ex.extract(ok, layers);
    for (const l of layers) {
      expect(acts[l]!.shape[1]).toBeGreaterThanOrEqual(1);
      expect(acts[l]!.shape[2]).toBeGreaterThanOrEqual(1);
    }
    tf.dispose(Object.values(acts));
    for (const shape of [[1, min - 1, min + 3, 3], [1, min + 3, min - 1, 3]] as [number, number, number, number][]) {
      const small = tf.randomUniform(shape) as tf.Tensor4D;
      await expectNoLeaks(() => {
        const e = thrown(() => ex.extract(small, layers));
        expect(ShapeError.isInstance(e)).toBe(true);
        expect((e as ShapeError).argument).toBe('images');
        expect((e as Error).message).toContain(`at least ${min}×${min} px`);
        if (model === 'inception_v3') expect((e as Error).message).toContain('MobileNetV2');
      });
      small.dispose();
    }
    ok.dispose();
    ex.dispose();
  });

  it.each(cases)('$model $layers: the raw graph (no check) really fails or comes out empty at $min − 1 px', ({ model, layers, min }) => {
    const w = decodeArtifacts(artifacts[model], model);
    const g = compileKerasGraph(artifacts[model].modelTopology, w, NSFWJS_LAST_LAYER[model], model);
    tf.dispose(Object.values(w));
    const x = tf.zeros([1, min - 1, min - 1, 3]) as tf.Tensor4D;
    let empty = false;
    try {
      const out = tf.tidy(() => g.run(x, layers));
      empty = Object.values(out).some((t) => t.size === 0);
      tf.dispose(Object.values(out));
    } catch {
      empty = true; // tfjs: "Tensor must have a shape comprised of positive integers"
    }
    expect(empty).toBe(true);
    x.dispose();
    g.dispose();
  });

  it('styleTransfer checks the coarsest scale before any tensor work (inception_v3, scales [0.25, 1])', async () => {
    const ex = createNsfwjsExtractor(artifacts.inception_v3, { model: 'inception_v3' });
    // 168 × 0.25 = 42 < 43: the content is too small at the coarse scale (fine at full size).
    const content = gradientImage(168, 200);
    const style = gradientImage(200, 200, 1);
    await expectNoLeaks(async () => {
      const e = await styleTransfer({ extractor: ex, content, styles: [style], scales: [0.25, 1], iterations: 1 }).catch((x: unknown) => x);
      expect(ShapeError.isInstance(e)).toBe(true);
      expect((e as ShapeError).argument).toBe('options.content');
      expect((e as Error).message).toMatch(/at least 43×43 px.*42×50 px \(the content at scale 0\.25/);
    });
    // A wide style whose short side, resized to the coarse level, is too small: named styles[0].
    const big = gradientImage(200, 200);
    const wide = gradientImage(40, 200, 1); // at 0.25: long side 50 → 10×50
    await expectNoLeaks(async () => {
      const e = await styleTransfer({ extractor: ex, content: big, styles: [wide], scales: [0.25, 1], iterations: 1 }).catch((x: unknown) => x);
      expect(ShapeError.isInstance(e)).toBe(true);
      expect((e as ShapeError).argument).toBe('options.styles[0]');
    });
    tf.dispose([content, style, big, wide]);
    ex.dispose();
  });

  it('createStyleTransfer refuses a too-small content or style, naming it, without leaking', async () => {
    const ex = createNsfwjsExtractor(artifacts.inception_v3, { model: 'inception_v3' });
    const small = gradientImage(42, 60);
    const fine = gradientImage(43, 60, 1);
    const wide = gradientImage(40, 200, 2);
    await expectNoLeaks(() => {
      const e1 = thrown(() => createStyleTransfer({ extractor: ex, content: small, styles: [fine] }));
      expect(ShapeError.isInstance(e1) && e1.argument).toBe('options.content');
      const e2 = thrown(() => createStyleTransfer({ extractor: ex, content: fine, styles: [fine, wide] }));
      expect(ShapeError.isInstance(e2) && e2.argument).toBe('options.styles[1]');
    });
    tf.dispose([small, fine, wide]);
    ex.dispose();
  });
});
