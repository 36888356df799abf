import * as tf from '@tensorflow/tfjs-core';
import type { FeatureExtractor } from '../feature-extractor';

/** A tiny random conv net (3→4→6 channels, one avg-pool) for engine tests. */
export function tinyExtractor(seed = 7): FeatureExtractor {
  const k1 = tf.randomNormal([3, 3, 3, 4], 0, 0.5, 'float32', seed) as tf.Tensor4D;
  const k2 = tf.randomNormal([3, 3, 4, 6], 0, 0.5, 'float32', seed + 1) as tf.Tensor4D;
  const layers = ['conv1', 'relu1', 'pool1', 'conv2', 'relu2'];
  return {
    name: 'tiny',
    layers,
    defaults: { contentLayers: ['relu2'], styleLayers: ['relu1', 'relu2'], contentWeight: 1, styleWeight: 10, smoothing: 'none' },
    extract(images, wanted) {
      for (const w of wanted) if (!layers.includes(w)) throw new Error(`unknown layer ${w}`);
      return tf.tidy(() => {
        const out: Record<string, tf.Tensor4D> = {};
        const c1 = tf.conv2d(tf.sub(images, 0.5) as tf.Tensor4D, k1, 1, 'same');
        const r1 = tf.relu(c1);
        const p1 = tf.avgPool(r1, 2, 2, 'valid') as tf.Tensor4D;
        const c2 = tf.conv2d(p1, k2, 1, 'same');
        const r2 = tf.relu(c2);
        const all: Record<string, tf.Tensor4D> = { conv1: c1, relu1: r1, pool1: p1, conv2: c2, relu2: r2 };
        for (const w of wanted) out[w] = all[w]!;
        return out;
      });
    },
    dispose() {
      tf.dispose([k1, k2]);
    },
  };
}

/** A smooth test image [1,h,w,3] in [0,1]. */
export function gradientImage(h: number, w: number, phase = 0): tf.Tensor4D {
  return tf.tidy(() => {
    const ys = tf.reshape(tf.linspace(0, 1, h), [1, h, 1, 1]);
    const xs = tf.reshape(tf.linspace(0, 1, w), [1, 1, w, 1]);
    const r = tf.add(tf.mul(ys, 0.8), tf.mul(xs, 0.1));
    const g = tf.sub(1, tf.add(tf.mul(xs, 0.7), tf.mul(ys, 0.1)));
    const b = tf.add(0.5, tf.mul(0.4, tf.sin(tf.add(tf.mul(tf.add(xs, ys), 12), phase))));
    return tf.concat([tf.add(r, tf.zeros([1, h, w, 1])), tf.add(g, tf.zeros([1, h, w, 1])), tf.add(b, tf.zeros([1, h, w, 1]))], -1) as tf.Tensor4D;
  });
}
