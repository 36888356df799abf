import * as tf from '@tensorflow/tfjs-core';
import { assertTensor, InvalidArgumentError, ShapeError } from '@likeness/backends';
import { mulberry32 as seededRandom } from '../internal/seeded-random';

/** Options of {@link augmentFaces}. */
export interface AugmentFacesOptions {
  /** Mirror each image left–right with probability ½. @defaultValue `true` */
  flip?: boolean;
  /** Largest shift in pixels (integer, uniform in [−s, s] on each axis; the border is filled with 0). @defaultValue `4` */
  maxShift?: number;
  /** Brightness and contrast jitter: x·(1+c) + b with c, b uniform in [−v, v], clipped to [0, 1]. @defaultValue `0.1` */
  brightness?: number;
  /** Largest rotation in degrees about the image centre (uniform in [−r, r]; bilinear sampling). @defaultValue `0` */
  rotation?: number;
  /** Zoom jitter: each image scaled by 1 + z, z uniform in [−s, s], about its centre (bilinear sampling). @defaultValue `0` */
  scale?: number;
  /** What fills pixels that come from outside the image: `'zero'` (black) or `'edge'` (the nearest border pixel). @defaultValue `'zero'` */
  fill?: 'zero' | 'edge';
  /** Seed of the draws. @defaultValue `0` */
  seed?: number;
}

/** What {@link augmentFacesParams} drew for one image. */
export interface FaceAugmentation {
  /** Whether the image is mirrored left–right (before the other warps). */
  readonly flip: boolean;
  /** Horizontal shift in whole pixels, in [−maxShift, maxShift] (positive: content moves right). */
  readonly dx: number;
  /** Vertical shift in whole pixels, in [−maxShift, maxShift] (positive: content moves down). */
  readonly dy: number;
  /** Contrast jitter c in [−brightness, brightness]: pixels become x·(1 + c) + b, clipped to [0, 1]. */
  readonly contrast: number;
  /** Brightness offset b in [−brightness, brightness], added after the contrast factor (pixel values in [0, 1]). */
  readonly brightness: number;
  /** Rotation in degrees (0 unless `rotation` is on). */
  readonly rotation: number;
  /** Zoom factor (1 unless `scale` is on). */
  readonly scale: number;
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
  const r = options.rotation ?? 0, z = options.scale ?? 0;
  if (!(Number.isFinite(r) && r >= 0 && r <= 180)) throw new InvalidArgumentError({ fn, argument: 'options.rotation', message: `expected degrees in [0, 180] (e.g. 10), got ${String(r)}.` });
  if (!(Number.isFinite(z) && z >= 0 && z < 1)) throw new InvalidArgumentError({ fn, argument: 'options.scale', message: `expected a zoom jitter in [0, 1) (e.g. 0.1 for ±10 %), got ${String(z)}.` });
  if (options.fill !== undefined && options.fill !== 'zero' && options.fill !== 'edge') throw new InvalidArgumentError({ fn, argument: 'options.fill', message: `expected 'zero' or 'edge', got ${String(options.fill)}.` });
  const rnd = seededRandom(options.seed ?? 0);
  const out: FaceAugmentation[] = [];
  for (let i = 0; i < n; i++) {
    const flip = (options.flip ?? true) && rnd() < 0.5;
    const dx = Math.floor(rnd() * (2 * maxShift + 1)) - maxShift;
    const dy = Math.floor(rnd() * (2 * maxShift + 1)) - maxShift;
    const contrast = (2 * rnd() - 1) * v;
    const brightness = (2 * rnd() - 1) * v;
    // drawn only when on, so the draws above stay those of earlier versions for the same seed
    const rotation = r > 0 ? (2 * rnd() - 1) * r : 0;
    const scale = z > 0 ? 1 + (2 * rnd() - 1) * z : 1;
    out.push({ flip, dx, dy, contrast, brightness, rotation, scale });
  }
  return out;
}

/**
 * The `tf.image.transform` row of one draw: output pixel (x, y) samples the
 * input at (a0·x + a1·y + a2, b0·x + b1·y + b2). The image is mirrored
 * first (when flipped), then rotated by `rotation` degrees and zoomed by
 * `scale` about its centre (cx, cy), then shifted by (dx, dy):
 * out(p) = mirrored(R(−θ)·(p − c − d)/scale + c).
 * @internal
 */
export function augmentationTransform(q: FaceAugmentation, height: number, width: number): number[] {
  const cx = (width - 1) / 2, cy = (height - 1) / 2;
  const t = (q.rotation * Math.PI) / 180;
  const a0 = Math.cos(t) / q.scale, a1 = Math.sin(t) / q.scale, b0 = -Math.sin(t) / q.scale, b1 = Math.cos(t) / q.scale;
  const ox = cx + q.dx, oy = cy + q.dy;
  const a2 = cx - a0 * ox - a1 * oy, b2 = cy - b0 * ox - b1 * oy;
  return q.flip ? [-a0, -a1, width - 1 - a2, b0, b1, b2, 0, 0] : [a0, a1, a2, b0, b1, b2, 0, 0];
}

/**
 * On-the-fly augmentation of a batch of face crops: a random left–right
 * flip, a small integer shift and a brightness/contrast jitter per image,
 * optionally a small rotation and zoom (`rotation`, `scale`, sampled
 * bilinearly), in one warp (`tf.image.transform`). Without rotation and
 * zoom, pixel (x, y) of the output is input pixel (x − dx, y − dy)
 * (mirrored first when flipped).
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
  const [n, h, w] = images.shape;
  const p = augmentFacesParams(n, options);
  const fillMode = options.fill === 'edge' ? 'nearest' : 'constant';
  return tf.tidy(() => {
    // one image at a time: tfjs 4.22's cpu Transform kernel zeroes every image after the first of a batch
    const x = tf.cast(images, 'float32') as tf.Tensor4D;
    const warped = tf.concat(p.map((q, i) => {
      const one = tf.slice(x, [i, 0, 0, 0], [1, -1, -1, -1]);
      const resample = q.rotation !== 0 || q.scale !== 1;
      if (!resample && !q.flip && q.dx === 0 && q.dy === 0) return one;
      return tf.image.transform(one, tf.tensor2d(augmentationTransform(q, h, w), [1, 8]), resample ? 'bilinear' : 'nearest', fillMode, 0);
    }), 0);
    const c = tf.tensor4d(p.map((q) => 1 + q.contrast), [n, 1, 1, 1]);
    const b = tf.tensor4d(p.map((q) => q.brightness), [n, 1, 1, 1]);
    return tf.clipByValue(tf.add(tf.mul(warped, c), b), 0, 1) as tf.Tensor4D;
  });
}
