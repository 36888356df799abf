import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, ShapeError } from '@likeness/backends';
import { assertTensor } from '../internal/validate';

/** mulberry32: a small seeded PRNG in [0, 1). */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Options of {@link augmentFaces}. */
export interface AugmentFacesOptions {
  /** Mirror each image left–right with probability ½. @defaultValue `true` */
  flip?: boolean;
  /** Largest shift in pixels (integer, uniform in [−s, s] on each axis; the border is filled with 0). @defaultValue `4` */
  maxShift?: number;
  /** Brightness and contrast jitter: x·(1+c) + b with c, b uniform in [−v, v], clipped to [0, 1]. @defaultValue `0.1` */
  brightness?: number;
  /** Seed of the draws. @defaultValue `0` */
  seed?: number;
}

/** What {@link augmentFacesParams} drew for one image. */
export interface FaceAugmentation {
  readonly flip: boolean;
  readonly dx: number;
  readonly dy: number;
  readonly contrast: number;
  readonly brightness: number;
}

/**
 * The random draws {@link augmentFaces} makes for n images (deterministic in the seed).
 *
 * @example
 * ```ts
 * augmentFacesParams(2, { seed: 1 }); // [{flip, dx, dy, contrast, brightness}, …] (2 entries)
 * ```
 */
export function augmentFacesParams(n: number, options: AugmentFacesOptions = {}): FaceAugmentation[] {
  const fn = 'augmentFaces';
  const maxShift = options.maxShift ?? 4;
  const v = options.brightness ?? 0.1;
  if (!Number.isInteger(maxShift) || maxShift < 0) throw new InvalidArgumentError({ fn, argument: 'options.maxShift', message: `expected a non-negative integer, got ${String(maxShift)}.` });
  if (!(Number.isFinite(v) && v >= 0 && v < 1)) throw new InvalidArgumentError({ fn, argument: 'options.brightness', message: `expected a number in [0, 1), got ${String(v)}.` });
  const rnd = seededRandom(options.seed ?? 0);
  const out: FaceAugmentation[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      flip: (options.flip ?? true) && rnd() < 0.5,
      dx: Math.floor(rnd() * (2 * maxShift + 1)) - maxShift,
      dy: Math.floor(rnd() * (2 * maxShift + 1)) - maxShift,
      contrast: (2 * rnd() - 1) * v,
      brightness: (2 * rnd() - 1) * v,
    });
  }
  return out;
}

/**
 * On-the-fly augmentation of a batch of face crops for fine-tuning: a
 * random left–right flip, a small integer shift and a brightness/contrast
 * jitter per image, in one warp (`tf.image.transform`). Pixel (x, y) of the
 * output is input pixel (x − dx, y − dy) (mirrored first when flipped).
 *
 * @example
 * ```ts
 * const aug = augmentFaces(faces, { seed: epoch }); // [N,150,150,3] → [N,150,150,3]
 * ```
 */
export function augmentFaces(images: tf.Tensor4D, options: AugmentFacesOptions = {}): tf.Tensor4D {
  const fn = 'augmentFaces';
  assertTensor(images, fn, 'images');
  if (images.rank !== 4) throw new ShapeError({ fn, argument: 'images', expected: 'a batch [N,H,W,C] in [0,1]', actual: images.shape });
  const [n, , w] = images.shape;
  const p = augmentFacesParams(n, options);
  return tf.tidy(() => {
    // output (x, y) samples input (a0·x + a2, y + b2)
    // one image at a time: tfjs 4.22's cpu Transform kernel zeroes every image after the first of a batch
    const x = tf.cast(images, 'float32') as tf.Tensor4D;
    const warped = tf.concat(p.map((q, i) => {
      const row = q.flip ? [-1, 0, w - 1 + q.dx, 0, 1, -q.dy, 0, 0] : [1, 0, -q.dx, 0, 1, -q.dy, 0, 0];
      const one = tf.slice(x, [i, 0, 0, 0], [1, -1, -1, -1]);
      return !q.flip && q.dx === 0 && q.dy === 0 ? one : tf.image.transform(one, tf.tensor2d(row, [1, 8]), 'nearest', 'constant', 0);
    }), 0);
    const c = tf.tensor4d(p.map((q) => 1 + q.contrast), [n, 1, 1, 1]);
    const b = tf.tensor4d(p.map((q) => q.brightness), [n, 1, 1, 1]);
    return tf.clipByValue(tf.add(tf.mul(warped, c), b), 0, 1) as tf.Tensor4D;
  });
}
