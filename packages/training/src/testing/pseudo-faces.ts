import * as tf from '@tensorflow/tfjs-core';

/**
 * `people` × `per` smooth synthetic "faces" [N,150,150,3] in [0,1] for the
 * fine-tuning tests: person p is sin(f·x + phase·i)·cos((f + 1)·y) with
 * f = 3 + spacing·(p + offset), image i of a person a phase step further.
 * Labels are p + offset.
 */
export function pseudoFaces(people: number, per: number, offset = 0, spacing = 2, phase = 0.3): {
  /** The images [people·per,150,150,3] in [0,1] (the caller disposes them). */
  images: tf.Tensor4D;
  /** Identity of each image: p + offset. */
  labels: Int32Array;
} {
  const labels: number[] = [];
  const images = tf.tidy(() => {
    const g = tf.linspace(0, 1, 150);
    const yy = tf.reshape(g, [150, 1, 1]), xx = tf.reshape(g, [1, 150, 1]);
    const list: tf.Tensor[] = [];
    for (let p = 0; p < people; p++) for (let i = 0; i < per; i++) {
      const f = 3 + spacing * (p + offset), ph = phase * i;
      const a = tf.add(tf.mul(tf.sin(tf.add(tf.mul(xx, f), ph)), tf.cos(tf.mul(yy, f + 1))), 1);
      list.push(tf.tile(tf.mul(a, 0.5), [1, 1, 3]));
      labels.push(p + offset);
    }
    return tf.stack(list) as tf.Tensor4D;
  });
  return { images, labels: Int32Array.from(labels) };
}
