// Backbone-independent quality numbers for the comparison sheet, so outputs
// of different networks (and the reference) can be compared on one scale.
import * as tf from '@tensorflow/tfjs-core';

/** Normalised 3-D colour histogram (bins per channel) of a [1,H,W,3] image in [0,1]. */
function histogram(img, bins = 8) {
  const d = img.dataSync();
  const h = new Float64Array(bins ** 3);
  for (let i = 0; i < d.length; i += 3) {
    const q = (v) => Math.min(bins - 1, Math.floor(v * bins));
    h[(q(d[i]) * bins + q(d[i + 1])) * bins + q(d[i + 2])] += 1;
  }
  const n = d.length / 3;
  return h.map((v) => v / n);
}

/** Palette distance: ½·L1 between colour histograms (0 = same palette, 1 = disjoint). */
export function paletteDistance(a, b) {
  const ha = histogram(a);
  const hb = histogram(b);
  let s = 0;
  for (let i = 0; i < ha.length; i++) s += Math.abs(ha[i] - hb[i]);
  return s / 2;
}

function edges(img) {
  return tf.tidy(() => {
    const y = tf.sum(tf.mul(img, tf.tensor1d([0.299, 0.587, 0.114])), -1, true);
    const kx = tf.tensor4d([-1, 0, 1, -2, 0, 2, -1, 0, 1], [3, 3, 1, 1]);
    const ky = tf.tensor4d([-1, -2, -1, 0, 0, 0, 1, 2, 1], [3, 3, 1, 1]);
    // Edges at a coarse scale: blur first so brush strokes count less than object outlines.
    const blur = tf.avgPool(y, 5, 1, 'same');
    return tf.sqrt(tf.add(tf.add(tf.square(tf.conv2d(blur, kx, 1, 'same')), tf.square(tf.conv2d(blur, ky, 1, 'same'))), 1e-8));
  });
}

/** Structure kept: Pearson correlation of the (blurred) Sobel edge maps of two same-size images. */
export function structureCorrelation(a, b) {
  return tf.tidy(() => {
    const ea = edges(a);
    const eb = edges(b);
    const ma = tf.sub(ea, tf.mean(ea));
    const mb = tf.sub(eb, tf.mean(eb));
    return tf.div(tf.sum(tf.mul(ma, mb)), tf.sqrt(tf.mul(tf.sum(tf.square(ma)), tf.sum(tf.square(mb))))).dataSync()[0];
  });
}
