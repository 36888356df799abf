import * as tf from '@tensorflow/tfjs-core';

// ITU-R BT.601 YIQ, as in Gatys et al. "Preserving color in neural artistic style transfer".
const RGB2YIQ = [
  [0.299, 0.587, 0.114],
  [0.595716, -0.274453, -0.321263],
  [0.211456, -0.522591, 0.311135],
];

function matrix(m: number[][]): tf.Tensor2D {
  // x [.,3] · Mᵀ
  return tf.transpose(tf.tensor2d(m)) as tf.Tensor2D;
}

/** [N,H,W,3] RGB → [N,H,W,3] YIQ. */
export function rgbToYiq(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w] = x.shape;
    return tf.reshape(tf.matMul(tf.reshape(x, [-1, 3]), matrix(RGB2YIQ)), [n, h, w, 3]) as tf.Tensor4D;
  });
}

/** [N,H,W,3] YIQ → [N,H,W,3] RGB. */
export function yiqToRgb(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w] = x.shape;
    const m = invert3(RGB2YIQ);
    return tf.reshape(tf.matMul(tf.reshape(x, [-1, 3]), matrix(m)), [n, h, w, 3]) as tf.Tensor4D;
  });
}

function invert3(m: number[][]): number[][] {
  const [a, b, c] = m[0]!;
  const [d, e, f] = m[1]!;
  const [g, h, i] = m[2]!;
  const A = e! * i! - f! * h!;
  const B = -(d! * i! - f! * g!);
  const C = d! * h! - e! * g!;
  const det = a! * A + b! * B + c! * C;
  return [
    [A / det, -(b! * i! - c! * h!) / det, (b! * f! - c! * e!) / det],
    [B / det, (a! * i! - c! * g!) / det, -(a! * f! - c! * d!) / det],
    [C / det, -(a! * h! - b! * g!) / det, (a! * e! - b! * d!) / det],
  ];
}

/** Luminance as a 3-channel grey image, [N,H,W,3]. */
export function luminance3(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const y = tf.sum(tf.mul(x, tf.tensor1d(RGB2YIQ[0]!)), -1, true);
    return tf.tile(y, [1, 1, 1, 3]) as tf.Tensor4D;
  });
}

/** Shifts and scales the luminance of `style` to the mean and std of `content`'s (Gatys et al. 2016, colour preservation). */
export function matchLuminance(style: tf.Tensor4D, content: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const ls = luminance3(style);
    const lc = luminance3(content);
    const ms = tf.moments(ls);
    const mc = tf.moments(lc);
    const out = tf.add(tf.mul(tf.sub(ls, ms.mean), tf.div(tf.sqrt(tf.add(mc.variance, 1e-8)), tf.sqrt(tf.add(ms.variance, 1e-8)))), mc.mean);
    return tf.clipByValue(out, 0, 1) as tf.Tensor4D;
  });
}

/** Luminance of `generated` with the chroma (I, Q) of `content`, clipped to [0,1]. Sizes must match. */
export function keepOriginalColors(generated: tf.Tensor4D, content: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const y = tf.slice(rgbToYiq(generated), [0, 0, 0, 0], [-1, -1, -1, 1]);
    const iq = tf.slice(rgbToYiq(content), [0, 0, 0, 1], [-1, -1, -1, 2]);
    return tf.clipByValue(yiqToRgb(tf.concat([y, iq], -1) as tf.Tensor4D), 0, 1) as tf.Tensor4D;
  });
}
