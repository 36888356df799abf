import * as tf from '@tensorflow/tfjs-core';
import { assertTensor, ShapeError } from '@likeness/backends';
import { alignFace, type AlignFaceOptions } from './align-face';
import type { DetectedFace, FaceDetectorAdapter } from './face-detector';

/** Options of {@link prepareFaces}. */
export interface PrepareFacesOptions extends AlignFaceOptions {
  /** Ignore detections below this score. @defaultValue `0.5` */
  minScore?: number;
}

/**
 * Detects, crops and aligns every face of an image for an encoder: with
 * landmarks, a rotation-aware {@link alignFace}; without, a square crop
 * around the box. Returns the crops [F,h,w,C] (F may be 0) and the
 * detections in the same order.
 *
 * @example
 * ```ts
 * const { faces, detections } = await prepareFaces(image, detector); // image [H,W,3] → faces [F,150,150,3]
 * const d = resnet.encode(faces); // [F,128]
 * ```
 */
export async function prepareFaces(
  image: tf.Tensor3D, detector: FaceDetectorAdapter, options: PrepareFacesOptions = {},
): Promise<{
  /** The aligned crops [F,h,w,3] at `options.outputSize` (F = 0 when no face passes `minScore`); the caller disposes them. */
  faces: tf.Tensor4D;
  /** The detections kept (score ≥ `minScore`), in the same order as `faces`, in the image's pixels. */
  detections: DetectedFace[];
}> {
  const fn = 'prepareFaces';
  assertTensor(image, fn, 'image');
  if (image.rank !== 3 || image.shape[2] !== 3) {
    throw new ShapeError({ fn, argument: 'image', expected: 'an RGB image [H,W,3] in [0,1]', actual: image.shape });
  }
  const found = (await detector.detect(image)).filter((d) => d.score >= (options.minScore ?? 0.5));
  const [oh, ow] = options.outputSize ?? [150, 150];
  const faces = tf.tidy(() => {
    if (found.length === 0) return tf.zeros([0, oh, ow, 3]) as tf.Tensor4D;
    const [H, W] = image.shape;
    const crops = found.map((d) => {
      if (d.landmarks && (d.landmarks.length === 5 || d.landmarks.length === 68)) return alignFace(image, [d.landmarks], options);
      const side = Math.max(d.box.width, d.box.height) * (1 + 2 * (options.padding ?? 0.25));
      const cx = d.box.x + d.box.width / 2, cy = d.box.y + d.box.height / 2;
      const box = [(cy - side / 2) / (H - 1), (cx - side / 2) / (W - 1), (cy + side / 2) / (H - 1), (cx + side / 2) / (W - 1)];
      return tf.image.cropAndResize(tf.expandDims(image, 0) as tf.Tensor4D, [box], [0], [oh, ow]);
    });
    return tf.concat(crops, 0) as tf.Tensor4D;
  });
  return { faces, detections: found };
}
