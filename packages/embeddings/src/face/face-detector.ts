import type * as tf from '@tensorflow/tfjs-core';
import type { Point } from './similarity-transform';

/** One face a detector found. */
export interface DetectedFace {
  /** Bounding box in input pixels. */
  readonly box: {
    /** Left edge, pixels from the image's left. */
    readonly x: number;
    /** Top edge, pixels from the image's top. */
    readonly y: number;
    /** Width in pixels. */
    readonly width: number;
    /** Height in pixels. */
    readonly height: number;
  };
  /** Detection confidence in [0, 1]. */
  readonly score: number;
  /** 5 (eyes, nose, mouth corners) or 68 iBUG landmarks in input pixels, when the detector gives them. */
  readonly landmarks?: readonly Point[];
}

/**
 * What an app implements to plug a face detector in (face-api's, MediaPipe,
 * a server…). `detect` gets an RGB image [H,W,3] in [0, 1] and must not
 * dispose it.
 *
 * @example
 * ```ts
 * const detector: FaceDetectorAdapter = {
 *   async detect(image) { // image [H,W,3]
 *     const r = await faceapi.detectAllFaces(toFaceApi(image)).withFaceLandmarks();
 *     return r.map((d) => ({ box: d.detection.box, score: d.detection.score, landmarks: d.landmarks.positions }));
 *   },
 * };
 * ```
 */
export interface FaceDetectorAdapter {
  /** The faces in `image` (RGB [H,W,3] in [0, 1], not disposed by the adapter), in its pixels. */
  detect(image: tf.Tensor3D): Promise<DetectedFace[]>;
}
