/**
 * Our own face preparation for ORL: robust detection (pad-and-retry,
 * `detectFacesRobust`, no border tuned to ORL) with face-api's detector and
 * landmarks, then a 150×150 RGB crop for the dlib ResNet. Images where no
 * face is found are reported and framed as the whole image (padded square).
 */
import * as tf from '@tensorflow/tfjs-core';
import { alignFace, detectFacesRobust, landmarks68To5, type FaceDetectorAdapter, type Point, type RobustDetection } from '@likeness/embeddings';
import type { OrlImage } from './orl';

/**
 * How a detected face becomes the crop:
 * - `align-5`: `alignFace` (similarity transform of 5 landmarks onto a
 *   template, with rotation), margin `padding`;
 * - `dlib-box`: dlib's box from the eye and mouth centres (as face-api's
 *   `useDlibAlignment`), no rotation;
 * - `dlib-box-rotated`: the same box turned about its centre so that the
 *   eyes are level (closer to dlib's own chips, which are rotated).
 */
export type CropMode = 'align-5' | 'dlib-box' | 'dlib-box-rotated';

/** One ORL image's detection outcome. */
export interface OrlDetection {
  readonly person: string;
  readonly index: number;
  readonly found: boolean;
  /** Border (fraction of the larger side) of the attempt that found the face; null when not found. */
  readonly border: number | null;
  /** The 68 landmarks of the best face, in image pixels. */
  readonly landmarks: Point[] | null;
}

/** Grey ORL image → RGB [H,W,3] in [0,1]. */
export function orlRgb(im: OrlImage): tf.Tensor3D {
  return tf.tidy(() => tf.tile(tf.tensor3d(im.data, [im.height, im.width, 1]), [1, 1, 3]) as tf.Tensor3D);
}

/**
 * Runs the robust detection on every image (the best-scoring face of each).
 *
 * @example
 * ```ts
 * const dets = await detectOrl(images, await createFaceApiDetector(faceapi, { kind: 'tiny', modelPath })); // 400 × OrlDetection
 * ```
 */
export async function detectOrl(
  images: readonly OrlImage[], detector: FaceDetectorAdapter, options: { borders?: readonly number[]; onProgress?: (done: number) => void } = {},
): Promise<OrlDetection[]> {
  const out: OrlDetection[] = [];
  for (const im of images) {
    const rgb = orlRgb(im);
    let r: RobustDetection;
    try {
      r = await detectFacesRobust(rgb, detector, options.borders ? { borders: options.borders } : {});
    } finally {
      rgb.dispose();
    }
    const best = r.detections.slice().sort((a, b) => b.score - a.score)[0];
    out.push({ person: im.person, index: im.index, found: r.found, border: r.attempt?.border ?? null, landmarks: best?.landmarks ? best.landmarks.slice() : null });
    options.onProgress?.(out.length);
  }
  return out;
}

/** dlib's face box from 68 landmarks (face-api's `alignDlib`, without clamping to the image). */
export function dlibBox(lm: readonly Point[]): { x: number; y: number; size: number } {
  const [le, re] = landmarks68To5(lm);
  const mouth = { x: (lm[48]!.x + lm[54]!.x) / 2, y: (lm[48]!.y + lm[54]!.y) / 2 };
  const dist = (p: Point) => Math.hypot(mouth.x - p.x, mouth.y - p.y);
  const size = ((dist(le!) + dist(re!)) / 2) / 0.45;
  const cx = (le!.x + re!.x + mouth.x) / 3, cy = (le!.y + re!.y + mouth.y) / 3;
  return { x: cx - 0.5 * size, y: cy - 0.43 * size, size };
}

/**
 * 150×150 RGB crops of ORL images from their detections; images without a
 * face get the whole image padded to a square (and are counted as misses).
 *
 * @example
 * ```ts
 * const crops = cropOrl(images, dets, 'align-5'); // tensor [N,150,150,3]
 * ```
 */
export function cropOrl(images: readonly OrlImage[], dets: readonly OrlDetection[], mode: CropMode, padding = 0.25): tf.Tensor4D {
  return tf.tidy(() => {
    const crops = images.map((im, i) => {
      const d = dets[i]!;
      const rgb = orlRgb(im);
      if (!d.found || !d.landmarks) {
        const side = Math.max(im.height, im.width);
        const py = (side - im.height) / 2, px = (side - im.width) / 2;
        const sq = tf.pad(rgb, [[Math.floor(py), Math.ceil(py)], [Math.floor(px), Math.ceil(px)], [0, 0]]);
        return tf.expandDims(tf.image.resizeBilinear(sq as tf.Tensor3D, [150, 150]), 0) as tf.Tensor4D;
      }
      if (mode === 'align-5') return alignFace(rgb, [d.landmarks], { padding });
      const b = dlibBox(d.landmarks);
      if (mode === 'dlib-box-rotated') {
        const [le, re] = landmarks68To5(d.landmarks);
        const th = Math.atan2(re!.y - le!.y, re!.x - le!.x);
        const s = b.size / 150, c = Math.cos(th) * s, si = Math.sin(th) * s;
        const cx = b.x + b.size / 2, cy = b.y + b.size / 2;
        // output (u, v) → input cx + c·(u−75) − si·(v−75), cy + si·(u−75) + c·(v−75); one image per call
        const row = [c, -si, cx - c * 75 + si * 75, si, c, cy - si * 75 - c * 75, 0, 0];
        return tf.image.transform(tf.expandDims(rgb, 0) as tf.Tensor4D, tf.tensor2d(row, [1, 8]), 'bilinear', 'constant', 0, [150, 150]);
      }
      const H = im.height, W = im.width;
      const box = [b.y / (H - 1), b.x / (W - 1), (b.y + b.size) / (H - 1), (b.x + b.size) / (W - 1)];
      return tf.image.cropAndResize(tf.expandDims(rgb, 0) as tf.Tensor4D, [box], [0], [150, 150], 'bilinear', 0);
    });
    return tf.concat(crops, 0) as tf.Tensor4D;
  });
}
