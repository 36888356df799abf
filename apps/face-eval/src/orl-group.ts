import * as tf from '@tensorflow/tfjs-core';
import type { OrlImage } from './orl';

/** A generated group photo and where its faces are. */
export interface OrlGroup {
  /** RGB [H,W,3] in [0,1]. */
  readonly image: tf.Tensor3D;
  /** Each pasted ORL image: person, image index, and its rectangle (x, y, width, height) on the canvas. */
  readonly faces: { person: string; index: number; x: number; y: number; width: number; height: number }[];
}

/**
 * ORL images (one per person, image `index`) pasted at face widths from 30
 * to 200 px, on a mid-grey canvas with a little noise, on a grid so that
 * none overlap. Deterministic for a seed.
 *
 * @example
 * ```ts
 * const g = orlGroupImage(images, { seed: 1 }); // g.image [2000,3000,3], g.faces[i] = { person, x, y, … }
 * ```
 */
export function orlGroupImage(images: readonly OrlImage[], options: { seed?: number; width?: number; height?: number; people?: number; index?: number } = {}): OrlGroup {
  const W = options.width ?? 3000, H = options.height ?? 2000;
  const n = options.people ?? 12;
  const index = options.index ?? 5;
  let s = options.seed ?? 1;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const people = [...new Set(images.map((im) => im.person))].slice(0, n);
  const cols = 4, rows = Math.ceil(n / cols), cw = W / cols, ch = H / rows;
  const faces: OrlGroup['faces'] = [];
  const image = tf.tidy(() => {
    let canvas = tf.add(0.5, tf.mul(0.03, tf.randomNormal([H, W, 1], 0, 1, 'float32', options.seed ?? 1))) as tf.Tensor3D;
    people.forEach((person, i) => {
      const im = images.find((x) => x.person === person && x.index === index)!;
      // widths 30 … 200 px spread over the people
      const w = Math.round(30 + (170 * i) / Math.max(1, n - 1));
      const h = Math.round((w * im.height) / im.width);
      const x = Math.round((i % cols) * cw + rnd() * Math.max(0, cw - w));
      const y = Math.round(Math.floor(i / cols) * ch + rnd() * Math.max(0, ch - h));
      const face = tf.image.resizeBilinear(tf.tensor3d(im.data, [im.height, im.width, 1]), [h, w], true);
      const padded = tf.pad(face, [[y, H - y - h], [x, W - x - w], [0, 0]]);
      const mask = tf.pad(tf.ones([h, w, 1]), [[y, H - y - h], [x, W - x - w], [0, 0]]);
      canvas = tf.add(tf.mul(canvas, tf.sub(1, mask)), padded) as tf.Tensor3D;
      faces.push({ person, index, x, y, width: w, height: h });
    });
    return tf.tile(tf.clipByValue(canvas, 0, 1), [1, 1, 3]) as tf.Tensor3D;
  });
  return { image, faces };
}
