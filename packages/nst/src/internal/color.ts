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

/** Eigen-decomposition of a symmetric 3×3 matrix (cyclic Jacobi): A = V·diag(values)·Vᵀ, eigenvectors in V's columns. */
export function symmetricEigen3(a: readonly (readonly number[])[]): { values: number[]; vectors: number[][] } {
  const m = a.map((r) => [...r]);
  const v = [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ];
  for (let sweep = 0; sweep < 50; sweep++) {
    const off = m[0]![1]! ** 2 + m[0]![2]! ** 2 + m[1]![2]! ** 2;
    if (off < 1e-30) break;
    for (const [p, q] of [
      [0, 1],
      [0, 2],
      [1, 2],
    ] as const) {
      const apq = m[p]![q]!;
      if (Math.abs(apq) < 1e-300) continue;
      const theta = (m[q]![q]! - m[p]![p]!) / (2 * apq);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1);
      const s = t * c;
      for (let k = 0; k < 3; k++) {
        const mkp = m[k]![p]!;
        const mkq = m[k]![q]!;
        m[k]![p] = c * mkp - s * mkq;
        m[k]![q] = s * mkp + c * mkq;
      }
      for (let k = 0; k < 3; k++) {
        const mpk = m[p]![k]!;
        const mqk = m[q]![k]!;
        m[p]![k] = c * mpk - s * mqk;
        m[q]![k] = s * mpk + c * mqk;
      }
      for (let k = 0; k < 3; k++) {
        const vkp = v[k]![p]!;
        const vkq = v[k]![q]!;
        v[k]![p] = c * vkp - s * vkq;
        v[k]![q] = s * vkp + c * vkq;
      }
    }
  }
  return { values: [m[0]![0]!, m[1]![1]!, m[2]![2]!], vectors: v };
}

/** V·diag(f(λ))·Vᵀ for a symmetric 3×3 matrix. */
function symmetricPower(a: readonly (readonly number[])[], f: (l: number) => number): number[][] {
  const { values, vectors: v } = symmetricEigen3(a);
  const d = values.map((l) => f(Math.max(l, 0)));
  return [0, 1, 2].map((i) => [0, 1, 2].map((j) => v[i]![0]! * d[0]! * v[j]![0]! + v[i]![1]! * d[1]! * v[j]![1]! + v[i]![2]! * d[2]! * v[j]![2]!));
}

/** Mean [3] and covariance [3][3] of the pixels of several [1,H,W,3] images pooled with weights (normalised). */
export function colorMoments(images: readonly tf.Tensor4D[], weights: readonly number[] = images.map(() => 1)): { mean: number[]; cov: number[][] } {
  const total = weights.reduce((a, b) => a + b, 0) || 1;
  const mean = [0, 0, 0];
  const second = [0, 1, 2].map(() => [0, 0, 0]);
  images.forEach((img, k) => {
    const w = weights[k]! / total;
    const [m, s] = tf.tidy(() => {
      const x = tf.reshape(img, [-1, 3]);
      const n = x.shape[0]!;
      return [tf.mean(x, 0), tf.div(tf.matMul(x, x, true, false), n)];
    });
    const md = m!.dataSync();
    const sd = s!.dataSync();
    tf.dispose([m!, s!]);
    for (let i = 0; i < 3; i++) {
      mean[i]! += w * md[i]!;
      for (let j = 0; j < 3; j++) second[i]![j]! += w * sd[i * 3 + j]!;
    }
  });
  const cov = [0, 1, 2].map((i) => [0, 1, 2].map((j) => second[i]![j]! - mean[i]! * mean[j]!));
  return { mean, cov };
}

/**
 * Linear colour transfer: maps the pixels of `image` so their mean and
 * covariance become `target`'s (x ↦ Σt^½·Σs^-½·(x − μs) + μt, symmetric
 * square roots, so the mapping rotates colours as little as possible), clipped
 * to [0,1]. With `target` the style's colour moments this gives the content
 * the style's palette (the reverse of Gatys et al. 2016's colour matching).
 */
export function transferColors(image: tf.Tensor4D, target: { mean: number[]; cov: number[][] }): tf.Tensor4D {
  const src = colorMoments([image]);
  const eps = 1e-5;
  const a = symmetricPower(target.cov, Math.sqrt);
  const b = symmetricPower(src.cov, (l) => 1 / Math.sqrt(l + eps));
  const m = [0, 1, 2].map((i) => [0, 1, 2].map((j) => a[i]![0]! * b[0]![j]! + a[i]![1]! * b[1]![j]! + a[i]![2]! * b[2]![j]!));
  return tf.tidy(() => {
    const [n, h, w] = image.shape;
    const x = tf.sub(tf.reshape(image, [-1, 3]), tf.tensor1d(src.mean));
    const y = tf.add(tf.matMul(x, tf.tensor2d(m), false, true), tf.tensor1d(target.mean));
    return tf.clipByValue(tf.reshape(y, [n, h, w, 3]), 0, 1) as tf.Tensor4D;
  });
}
