import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { createNsfwjsExtractor, NSFWJS_LAST_LAYER } from './nsfwjs';
import { compileKerasGraph } from '../internal/keras-graph';
import { decodeArtifacts } from '../internal/weights';
import { loadNsfwjsArtifacts } from '../node/nsfwjs-files';
import { WeightsMismatchError } from '../errors/weights-mismatch-error';

let artifacts: tf.io.ModelArtifacts;

beforeAll(async () => {
  await useBackend('cpu');
  artifacts = await loadNsfwjsArtifacts('mobilenet_v2');
});

describe('nsfwjs MobileNetV2 backbone (weights from the installed npm package)', () => {
  it('reads the shipped uint8-quantised weights and stops at block_10', () => {
    const specs = artifacts.weightSpecs!;
    expect(specs.every((s) => s.quantization?.dtype === 'uint8')).toBe(true);
    const ex = createNsfwjsExtractor(artifacts);
    expect(ex.layers[0]).toBe('Conv1_pad');
    expect(ex.layers.at(-1)).toBe('block_10_project_BN');
    expect(ex.layers).not.toContain('block_11_expand');
    ex.dispose();
  });

  it('computes Conv1_relu like a direct unfused computation from the dequantised weights', () => {
    const w = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!);
    const x = tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const expected = tf.tidy(() => {
      const pre = tf.sub(tf.mul(x, 2), 1) as tf.Tensor4D;
      const c = tf.conv2d(tf.pad(pre, [[0, 0], [0, 1], [0, 1], [0, 0]]), w['Conv1/kernel'] as tf.Tensor4D, 2, 'valid');
      const n = tf.batchNorm(c, w['bn_Conv1/moving_mean']!, w['bn_Conv1/moving_variance']!, w['bn_Conv1/beta']!, w['bn_Conv1/gamma']!, 1e-3);
      return tf.relu6(n);
    });
    const ex = createNsfwjsExtractor(artifacts);
    const got = ex.extract(x, ['Conv1_relu', 'block_6_expand_relu', 'block_10_expand_relu']);
    expect(got.Conv1_relu!.shape).toEqual([1, 16, 16, 32]);
    expect(got.block_6_expand_relu!.shape).toEqual([1, 4, 4, 192]);
    expect(got.block_10_expand_relu!.shape).toEqual([1, 2, 2, 384]);
    const err = tf.max(tf.abs(tf.sub(got.Conv1_relu!, expected))).dataSync()[0]!;
    expect(err).toBeLessThan(1e-4);
    tf.dispose([x, expected, ...Object.values(got), ...Object.values(w)]);
    ex.dispose();
  });

  it('refuses artifacts without weights and unknown layers', () => {
    let caught: unknown;
    try {
      createNsfwjsExtractor({ modelTopology: artifacts.modelTopology });
    } catch (e) {
      caught = e;
    }
    expect(WeightsMismatchError.isInstance(caught)).toBe(true);
    const ex = createNsfwjsExtractor(artifacts);
    const x = tf.zeros([1, 16, 16, 3]) as tf.Tensor4D;
    try {
      ex.extract(x, ['block_16_project']);
    } catch (e) {
      caught = e;
    }
    expect(InvalidArgumentError.isInstance(caught) && caught.argument).toBe('layers');
    x.dispose();
    ex.dispose();
  });

  it('frees each activation once consumed when no gradient is recorded: same outputs, far lower peak memory', async () => {
    const layers = ['Conv1_relu', 'block_3_expand_relu', 'block_6_expand_relu', 'block_10_expand_relu'];
    const x = tf.randomUniform([1, 64, 64, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    // The previous path: the same graph run in one tidy that holds every activation until it ends.
    const weights = decodeArtifacts(artifacts, 'test');
    const g = compileKerasGraph(artifacts.modelTopology, weights, NSFWJS_LAST_LAYER.mobilenet_v2, 'test');
    tf.dispose(Object.values(weights));
    const ex = createNsfwjsExtractor(artifacts);
    const base = tf.memory().numBytes;
    const old = await tf.profile(() => tf.tidy(() => g.run(tf.sub(tf.mul(x, 2), 1) as tf.Tensor4D, layers)));
    const oldPeak = old.peakBytes - base;
    const base2 = tf.memory().numBytes;
    const lean = await tf.profile(() => ex.extract(x, layers));
    const leanPeak = lean.peakBytes - base2;
    const before = old.result as unknown as Record<string, tf.Tensor4D>;
    const now = lean.result as unknown as Record<string, tf.Tensor4D>;
    for (const l of layers) {
      expect(now[l]!.shape).toEqual(before[l]!.shape);
      expect(Array.from(now[l]!.dataSync())).toEqual(Array.from(before[l]!.dataSync()));
    }
    // Both keep the four requested activations; the old path also held every other one.
    expect(lean.newTensors).toBe(layers.length);
    expect(lean.newBytes).toBe(old.newBytes);
    expect(leanPeak).toBeLessThan(0.5 * oldPeak);
    // Under a gradient tape the activations stay (the backward pass needs them) and the values agree.
    const taped: Record<string, number[]> = {};
    const grad = tf.grad((t: tf.Tensor) => {
      const acts = ex.extract(t as tf.Tensor4D, layers);
      for (const l of layers) taped[l] = Array.from(acts[l]!.dataSync());
      return tf.sum(acts.block_10_expand_relu!);
    })(x);
    for (const l of layers) expect(taped[l]).toEqual(Array.from(before[l]!.dataSync()));
    expect(tf.max(tf.abs(grad)).dataSync()[0]!).toBeGreaterThan(0);
    tf.dispose([x, grad, ...Object.values(before), ...Object.values(now)]);
    g.dispose();
    ex.dispose();
  });

  it('leaks nothing (build, gradient, dispose)', async () => {
    const x = tf.randomUniform([1, 32, 32, 3]) as tf.Tensor4D;
    await expectNoLeaks(() => {
      const ex = createNsfwjsExtractor(artifacts);
      const g = tf.grad((t: tf.Tensor) => tf.sum(ex.extract(t as tf.Tensor4D, ['block_3_expand_relu']).block_3_expand_relu!))(x);
      g.dispose();
      tf.dispose(Object.values(ex.extract(x, ['Conv1_relu', 'block_3_expand_relu', 'block_6_expand'])));
      ex.dispose();
    });
    x.dispose();
  });
});
