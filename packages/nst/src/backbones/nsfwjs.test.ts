import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { createNsfwjsExtractor } from './nsfwjs';
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

  it('leaks nothing (build, gradient, dispose)', async () => {
    const x = tf.randomUniform([1, 32, 32, 3]) as tf.Tensor4D;
    await expectNoLeaks(() => {
      const ex = createNsfwjsExtractor(artifacts);
      const g = tf.grad((t: tf.Tensor) => tf.sum(ex.extract(t as tf.Tensor4D, ['block_3_expand_relu']).block_3_expand_relu!))(x);
      g.dispose();
      ex.dispose();
    });
    x.dispose();
  });
});
