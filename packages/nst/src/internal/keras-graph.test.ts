import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { compileKerasGraph } from './keras-graph';
import { WeightsMismatchError } from '../errors/weights-mismatch-error';

beforeAll(async () => {
  await useBackend('cpu');
});

const node = (...names: string[]) => [names.map((n) => [n, 0, 0, {}])];
/** A small MobileNetV2/Inception-like Keras topology touching every supported layer class. */
const topology = {
  model_config: {
    class_name: 'Model',
    config: {
      layers: [
        { name: 'input_1', class_name: 'InputLayer', config: {}, inbound_nodes: [] },
        { name: 'pad', class_name: 'ZeroPadding2D', config: { padding: [[0, 1], [0, 1]] }, inbound_nodes: node('input_1') },
        { name: 'c1', class_name: 'Conv2D', config: { filters: 4, kernel_size: [3, 3], strides: [2, 2], padding: 'valid', use_bias: false, activation: 'linear' }, inbound_nodes: node('pad') },
        { name: 'bn1', class_name: 'BatchNormalization', config: { epsilon: 1e-3, scale: true, center: true }, inbound_nodes: node('c1') },
        { name: 'r1', class_name: 'ReLU', config: { max_value: 6 }, inbound_nodes: node('bn1') },
        { name: 'dw', class_name: 'DepthwiseConv2D', config: { kernel_size: [3, 3], strides: [1, 1], padding: 'same', use_bias: false }, inbound_nodes: node('r1') },
        { name: 'bn2', class_name: 'BatchNormalization', config: { epsilon: 1e-3, scale: false, center: true }, inbound_nodes: node('dw') },
        { name: 'add', class_name: 'Add', config: {}, inbound_nodes: node('r1', 'bn2') },
        { name: 'bn3', class_name: 'BatchNormalization', config: { epsilon: 1e-3, scale: true, center: true }, inbound_nodes: node('add') },
        { name: 'c2', class_name: 'Conv2D', config: { filters: 3, kernel_size: [1, 1], strides: [1, 1], padding: 'same', use_bias: true, activation: 'relu' }, inbound_nodes: node('bn3') },
        { name: 'mp', class_name: 'MaxPooling2D', config: { pool_size: [2, 2], strides: [2, 2], padding: 'valid' }, inbound_nodes: node('bn3') },
        { name: 'ap', class_name: 'AveragePooling2D', config: { pool_size: [3, 3], strides: [1, 1], padding: 'same' }, inbound_nodes: node('c2') },
        { name: 'act', class_name: 'Activation', config: { activation: 'relu' }, inbound_nodes: node('ap') },
        { name: 'cat', class_name: 'Concatenate', config: { axis: -1 }, inbound_nodes: node('act', 'bn3') },
        { name: 'dense', class_name: 'Dense', config: {}, inbound_nodes: node('cat') },
      ],
    },
  },
};

function weights(): tf.NamedTensorMap {
  const r = (shape: number[], seed: number, lo = -1, hi = 1) => tf.randomUniform(shape, lo, hi, 'float32', seed);
  return {
    'c1/kernel': r([3, 3, 3, 4], 1),
    'bn1/gamma': r([4], 2, 0.5, 1.5),
    'bn1/beta': r([4], 3),
    'bn1/moving_mean': r([4], 4),
    'bn1/moving_variance': r([4], 5, 0.5, 2),
    'dw/depthwise_kernel': r([3, 3, 4, 1], 6),
    'bn2/beta': r([4], 7),
    'bn2/moving_mean': r([4], 8),
    'bn2/moving_variance': r([4], 9, 0.5, 2),
    'bn3/gamma': r([4], 10, 0.5, 1.5),
    'bn3/beta': r([4], 11),
    'bn3/moving_mean': r([4], 12),
    'bn3/moving_variance': r([4], 13, 0.5, 2),
    'c2/kernel': r([1, 1, 4, 3], 14),
    'c2/bias': r([3], 15),
  };
}

/** The same network written directly with unfused tf ops (tf.batchNorm forward only). */
function reference(w: tf.NamedTensorMap, x: tf.Tensor4D): Record<string, tf.Tensor4D> {
  return tf.tidy(() => {
    const bn = (t: tf.Tensor4D, n: string, scale: boolean) =>
      tf.batchNorm(t, w[`${n}/moving_mean`]!, w[`${n}/moving_variance`]!, w[`${n}/beta`]!, scale ? w[`${n}/gamma`]! : tf.onesLike(w[`${n}/beta`]!), 1e-3) as tf.Tensor4D;
    const pad = tf.pad(x, [[0, 0], [0, 1], [0, 1], [0, 0]]);
    const r1 = tf.relu6(bn(tf.conv2d(pad, w['c1/kernel'] as tf.Tensor4D, 2, 'valid'), 'bn1', true));
    const add = tf.add(r1, bn(tf.depthwiseConv2d(r1, w['dw/depthwise_kernel'] as tf.Tensor4D, 1, 'same'), 'bn2', false)) as tf.Tensor4D;
    const bn3 = bn(add, 'bn3', true);
    const c2 = tf.relu(tf.add(tf.conv2d(bn3, w['c2/kernel'] as tf.Tensor4D, 1, 'same'), w['c2/bias']!)) as tf.Tensor4D;
    const act = tf.relu(tf.avgPool(c2, 3, 1, 'same'));
    return { r1, add, mp: tf.maxPool(bn3, 2, 2, 'valid'), cat: tf.concat([act, bn3], -1) };
  });
}

describe('compileKerasGraph', () => {
  it('matches an unfused reference on every supported layer class (BatchNorm folded or not)', () => {
    const w = weights();
    const g = compileKerasGraph(topology, w, 'cat', 'test');
    const x = tf.randomUniform([2, 9, 9, 3], -1, 1, 'float32', 20) as tf.Tensor4D;
    const out = g.run(x, ['r1', 'add', 'mp', 'cat']);
    const ref = reference(w, x);
    for (const k of ['r1', 'add', 'mp', 'cat']) {
      expect(out[k]!.shape).toEqual(ref[k]!.shape);
      const err = tf.max(tf.abs(tf.sub(out[k]!, ref[k]!))).dataSync()[0]!;
      expect(err).toBeLessThan(1e-4);
    }
    expect(g.names).not.toContain('dense');
    tf.dispose([x, ...Object.values(out), ...Object.values(ref), ...Object.values(w)]);
    g.dispose();
  });

  it('refuses an unsupported layer before the cut and a missing weight, naming it', () => {
    const w = weights();
    let caught: unknown;
    try {
      compileKerasGraph(topology, w, 'dense', 'test');
    } catch (e) {
      caught = e;
    }
    expect(WeightsMismatchError.isInstance(caught) && caught.weight).toBe('dense');
    const partial = { ...w };
    delete partial['bn1/moving_variance'];
    try {
      compileKerasGraph(topology, partial, 'cat', 'test');
    } catch (e) {
      caught = e;
    }
    expect(WeightsMismatchError.isInstance(caught) && caught.weight).toBe('bn1/moving_variance');
    tf.dispose(Object.values(w));
  });

  it('has gradients (no tf.batchNorm, even with scale: false) and leaks nothing', async () => {
    const w = weights();
    const x = tf.randomUniform([1, 9, 9, 3], -1, 1, 'float32', 21);
    await expectNoLeaks(() => {
      const g = compileKerasGraph(topology, w, 'cat', 'test');
      const grad = tf.grad((t: tf.Tensor) => tf.sum(g.run(t as tf.Tensor4D, ['cat']).cat!))(x);
      expect(grad.shape).toEqual([1, 9, 9, 3]);
      expect(tf.tidy(() => tf.sum(tf.abs(grad)).dataSync()[0]!)).toBeGreaterThan(0);
      grad.dispose();
      g.dispose();
    });
    tf.dispose([x, ...Object.values(w)]);
  });
});
