import * as tf from '@tensorflow/tfjs-core';
import { assertTensor, InvalidArgumentError, ShapeError } from '@likeness/backends';
import { estimateSimilarity, type Point } from './similarity-transform';

/**
 * Canonical positions of 5 landmarks (left eye, right eye, nose tip, left
 * and right mouth corner; "left" as seen in the image) in a unit square,
 * from the widely used 112×112 ArcFace template divided by 112.
 */
export const FACE_TEMPLATE_5: readonly Point[] = Object.freeze([
  { x: 38.2946 / 112, y: 51.6963 / 112 },
  { x: 73.5318 / 112, y: 51.5014 / 112 },
  { x: 56.0252 / 112, y: 71.7366 / 112 },
  { x: 41.5493 / 112, y: 92.3655 / 112 },
  { x: 70.7299 / 112, y: 92.2041 / 112 },
]);

/**
 * 68 iBUG landmarks → the 5 of {@link FACE_TEMPLATE_5}: eye centres
 * (mean of 36–41 and 42–47), nose tip 30, mouth corners 48 and 54.
 *
 * @example
 * ```ts
 * const five = landmarks68To5(det.landmarks.positions); // 68 points → 5
 * ```
 */
export function landmarks68To5(points: readonly Point[]): Point[] {
  if (!Array.isArray(points) || points.length !== 68) {
    throw new InvalidArgumentError({ fn: 'landmarks68To5', argument: 'points', message: `expected the 68 iBUG landmarks, got ${points?.length}.` });
  }
  const mean = (from: number, to: number): Point => {
    let x = 0, y = 0;
    for (let i = from; i <= to; i++) { x += points[i]!.x; y += points[i]!.y; }
    return { x: x / (to - from + 1), y: y / (to - from + 1) };
  };
  return [mean(36, 41), mean(42, 47), points[30]!, points[48]!, points[54]!];
}

/**
 * How {@link alignFace} frames a face:
 * - `'dlib'` (default): dlib's face chip — the box face-api's
 *   `useDlibAlignment` computes from the eye centres and the mouth centre
 *   (side = mean eye–mouth distance / 0.45, centred on the eyes-and-mouth
 *   centroid, 7 % of the side below it), turned about its centre so that the
 *   eyes are level. The framing the dlib face ResNet was trained on: with
 *   flip averaging it reaches ORL all-40 EER 0.39 % (README).
 * - `'template'`: the least-squares similarity transform of the 5 landmarks
 *   onto the ArcFace 112×112 template ({@link FACE_TEMPLATE_5}), for
 *   encoders trained on ArcFace-style crops (ORL EER 9.3 % with the dlib net).
 */
export type FaceFraming = 'dlib' | 'template';

/** Options of {@link alignFace}. */
export interface AlignFaceOptions {
  /** Output [height, width]. @defaultValue `[150, 150]` (the face ResNet's input) */
  outputSize?: readonly [number, number];
  /** The framing. @defaultValue `'dlib'` */
  framing?: FaceFraming;
  /**
   * Margin around the face, as a fraction of the face size on each side.
   * `'dlib'`: added to dlib's box (0 = dlib's chip); `'template'`: around the
   * template face (0 = ArcFace's tight framing, 0.25 is closer to dlib's chips).
   * @defaultValue `0` for `'dlib'`, `0.25` for `'template'`
   */
  padding?: number;
}

/** dlib's square face box from 5 (or 68) landmarks: top-left corner, side, the eyes-and-mouth centroid and the eye line's angle (radians). */
export function dlibFaceBox(landmarks: readonly Point[]): {
  /** Left edge of the square before it is turned by `angle`, in the landmarks' pixels. */
  x: number;
  /** Top edge of the square before it is turned (its centre is 7 % of `size` below the eyes-and-mouth centroid). */
  y: number;
  /** Side of the square in pixels: the mean eye–mouth-centre distance / 0.45. */
  size: number;
  /** Angle of the line from the left to the right eye, radians (positive: the right eye is lower in the image). */
  angle: number;
} {
  const five = landmarks.length === 68 ? landmarks68To5(landmarks) : landmarks;
  if (!Array.isArray(five) || five.length !== 5) {
    throw new InvalidArgumentError({ fn: 'dlibFaceBox', argument: 'landmarks', message: `expected 5 or 68 points, got ${landmarks?.length}.` });
  }
  const [le, re, , ml, mr] = five as [Point, Point, Point, Point, Point];
  const mouth = { x: (ml.x + mr.x) / 2, y: (ml.y + mr.y) / 2 };
  const dist = (p: Point) => Math.hypot(mouth.x - p.x, mouth.y - p.y);
  const size = ((dist(le) + dist(re)) / 2) / 0.45;
  const cx = (le.x + re.x + mouth.x) / 3, cy = (le.y + re.y + mouth.y) / 3;
  return { x: cx - 0.5 * size, y: cy - 0.43 * size, size, angle: Math.atan2(re.y - le.y, re.x - le.x) };
}

/**
 * Crops and aligns faces from 5 (or 68) landmarks **with rotation**, in one
 * bilinear warp (`tf.image.transform`) per batch at the encoder's input
 * size. The default framing is dlib's chip with the eyes levelled (see
 * {@link FaceFraming}); `framing: 'template'` maps the landmarks onto the
 * ArcFace template instead. Pixels outside the image are black.
 *
 * @example
 * ```ts
 * // image [H,W,3] (or [N,H,W,C] with one landmark set per image) → [1,150,150,3]
 * const crop = alignFace(image, [landmarks5]);
 * const d = resnet.encode(crop); // [1,128]
 * ```
 */
export function alignFace(images: tf.Tensor3D | tf.Tensor4D, landmarks: readonly (readonly Point[])[], options: AlignFaceOptions = {}): tf.Tensor4D {
  const fn = 'alignFace';
  assertTensor(images, fn, 'images');
  if (images.rank !== 3 && images.rank !== 4) {
    throw new ShapeError({ fn, argument: 'images', expected: 'an image [H,W,C] or a batch [N,H,W,C]', actual: images.shape });
  }
  const n = images.rank === 4 ? images.shape[0]! : 1;
  if (!Array.isArray(landmarks) || landmarks.length !== n) {
    throw new InvalidArgumentError({ fn, argument: 'landmarks', message: `expected one landmark set per image (${n}), got ${Array.isArray(landmarks) ? landmarks.length : typeof landmarks}.` });
  }
  const [oh, ow] = options.outputSize ?? [150, 150];
  if (!(Number.isInteger(oh) && Number.isInteger(ow) && oh > 0 && ow > 0)) {
    throw new InvalidArgumentError({ fn, argument: 'options.outputSize', message: `expected [height, width] of positive integers, got ${JSON.stringify(options.outputSize)}.` });
  }
  const framing = options.framing ?? 'dlib';
  if (framing !== 'dlib' && framing !== 'template') {
    throw new InvalidArgumentError({ fn, argument: 'options.framing', message: `expected 'dlib' or 'template', got ${JSON.stringify(framing)}.` });
  }
  const padding = options.padding ?? (framing === 'dlib' ? 0 : 0.25);
  if (!(Number.isFinite(padding) && padding >= 0 && padding < 2)) {
    throw new InvalidArgumentError({ fn, argument: 'options.padding', message: `expected a number in [0, 2), got ${String(padding)}.` });
  }
  // template in output pixels, shrunk towards the centre by the padding
  const k = 1 / (1 + 2 * padding);
  const template = FACE_TEMPLATE_5.map((p) => ({ x: (0.5 + (p.x - 0.5) * k) * ow, y: (0.5 + (p.y - 0.5) * k) * oh }));
  const rows: number[] = [];
  landmarks.forEach((lm, i) => {
    const five = lm.length === 68 ? landmarks68To5(lm) : lm;
    if (five.length !== 5) {
      throw new InvalidArgumentError({ fn, argument: `landmarks[${i}]`, message: `expected 5 or 68 points, got ${lm.length}.` });
    }
    if (framing === 'dlib') {
      // output (u, v) → input c + R(angle)·diag(sx, sy)·(u − ow/2, v − oh/2), c = the box centre
      const b = dlibFaceBox(five);
      const side = b.size * (1 + 2 * padding);
      const cos = Math.cos(b.angle), sin = Math.sin(b.angle);
      const sx = side / ow, sy = side / oh;
      const cx = b.x + b.size / 2, cy = b.y + b.size / 2;
      rows.push(cos * sx, -sin * sy, cx - cos * sx * (ow / 2) + sin * sy * (oh / 2), sin * sx, cos * sy, cy - sin * sx * (ow / 2) - cos * sy * (oh / 2), 0, 0);
      return;
    }
    // output pixel → input pixel (tf.image.transform samples the input at the mapped point)
    const t = estimateSimilarity(template, five);
    rows.push(t.a, -t.b, t.tx, t.b, t.a, t.ty, 0, 0);
  });
  return tf.tidy(() => {
    const batch = (images.rank === 3 ? tf.expandDims(images, 0) : images) as tf.Tensor4D;
    const transforms = tf.tensor2d(rows, [n, 8]);
    return tf.image.transform(tf.cast(batch, 'float32') as tf.Tensor4D, transforms, 'bilinear', 'constant', 0, [oh, ow]);
  });
}
