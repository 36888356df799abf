import * as tf from '@tensorflow/tfjs-core';
import { assertTensor, InvalidArgumentError, ShapeError } from '@likeness/backends';
import type { DetectedFace, FaceDetectorAdapter } from './face-detector';

/** Options of {@link detectFacesRobust} and {@link robustFaceDetector}. */
export interface RobustDetectOptions {
  /** Ignore detections below this score. @defaultValue `0.5` */
  minScore?: number;
  /**
   * Borders tried in order, each as a fraction of the image's larger side
   * added on every side (0 = the image as is). The search stops at the first
   * attempt that finds a face. Generic, not tuned to a data set: a face that
   * fills the frame needs about a face's width of context, which 0.5–1 gives.
   * @defaultValue `[0, 0.25, 0.5, 1]`
   */
  borders?: readonly number[];
  /**
   * Scale factors tried for each border (after padding), for faces too small
   * or too large for the detector's input size.
   * @defaultValue `[1]`
   */
  scales?: readonly number[];
  /** The border's value (per channel, in [0, 1]). @defaultValue `0` (black) */
  fill?: number;
  /**
   * Pixel budget of one attempt's input (after padding and scaling): a
   * larger attempt is shrunk (the image is resized before it is padded), so
   * no attempt allocates more than `maxPixels × 3` floats. The detectors see
   * 224–608 px anyway, so the default loses nothing they could use.
   * @defaultValue `4_194_304` (2048²)
   */
  maxPixels?: number;
}

/** What {@link detectFacesRobust} returns. */
export interface RobustDetection {
  /** The faces, in the ORIGINAL image's pixel coordinates (boxes may reach past its edges). */
  readonly detections: DetectedFace[];
  /** Whether a face was found at all; when false the caller must say so (not found). */
  readonly found: boolean;
  /** The border (fraction) and scale of the attempt that found the faces; null when none did. `scale` is the one asked for; the budget may have shrunk it. */
  readonly attempt: {
    /** The border of that attempt: a fraction of the image's larger side, added on every side (one of `options.borders`). */
    readonly border: number;
    /** The scale factor asked for (one of `options.scales`); the pixel budget may have shrunk the input further. */
    readonly scale: number;
  } | null;
  /** How many detector passes ran. */
  readonly attempts: number;
}

const DEFAULT_BORDERS: readonly number[] = [0, 0.25, 0.5, 1];

function checkList(fn: string, argument: string, v: readonly number[] | undefined, ok: (x: number) => boolean, what: string): void {
  if (v === undefined) return;
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'number' && Number.isFinite(x) && ok(x))) {
    throw new InvalidArgumentError({ fn, argument, message: `expected a non-empty list of ${what}, got ${JSON.stringify(v)}.` });
  }
}

/**
 * Face detection that does not miss faces filling the frame: runs any
 * {@link FaceDetectorAdapter} on the image, and when it finds nothing, again
 * with a growing border (and at the given scales) until it does. Detections
 * are mapped back to the original image's coordinates, so they feed
 * `alignFace` / `prepareFaces` unchanged. Reports `found: false` when every
 * attempt failed. The image is never disposed.
 *
 * @example
 * ```ts
 * const r = await detectFacesRobust(image, detector); // image [H,W,3] in [0,1]
 * if (!r.found) console.warn('no face found');
 * else alignFace(image, [r.detections[0].landmarks!]); // [1,150,150,3]
 * ```
 */
export async function detectFacesRobust(
  image: tf.Tensor3D, detector: FaceDetectorAdapter, options: RobustDetectOptions = {},
): Promise<RobustDetection> {
  const fn = 'detectFacesRobust';
  assertTensor(image, fn, 'image');
  if (image.rank !== 3 || image.shape[2] !== 3) {
    throw new ShapeError({ fn, argument: 'image', expected: 'an RGB image [H,W,3] in [0,1]', actual: image.shape });
  }
  if (detector == null || typeof detector.detect !== 'function') {
    throw new InvalidArgumentError({ fn, argument: 'detector', message: 'expected a FaceDetectorAdapter with detect(image).' });
  }
  checkList(fn, 'options.borders', options.borders, (x) => x >= 0 && x <= 4, 'borders in [0, 4]');
  checkList(fn, 'options.scales', options.scales, (x) => x > 0 && x <= 8, 'scales in (0, 8]');
  const minScore = options.minScore ?? 0.5;
  const fill = options.fill ?? 0;
  const borders = options.borders ?? DEFAULT_BORDERS;
  const scales = options.scales ?? [1];
  const maxPixels = options.maxPixels ?? 4_194_304;
  if (!(typeof maxPixels === 'number' && Number.isFinite(maxPixels) && maxPixels >= 4096)) {
    throw new InvalidArgumentError({ fn, argument: 'options.maxPixels', message: `expected a pixel count ≥ 4096 such as 4_194_304, got ${String(options.maxPixels)}.` });
  }
  const [H, W] = image.shape;
  let attempts = 0;
  for (const border of borders) {
    for (const scale of scales) {
      const pad = Math.round(border * Math.max(H, W));
      // the image is resized (align corners) by e, then padded by round(pad · e): within the budget
      const e = Math.min(scale, Math.sqrt(maxPixels / ((H + 2 * pad) * (W + 2 * pad))));
      const h = Math.max(1, Math.round(H * e)), w = Math.max(1, Math.round(W * e));
      const p = Math.round(pad * e);
      const identity = p === 0 && h === H && w === W;
      const input = identity
        ? image
        : tf.tidy(() => {
          const x = h === H && w === W ? image : tf.image.resizeBilinear(image, [h, w], true);
          return p > 0 ? tf.pad(x, [[p, p], [p, p], [0, 0]], fill) : x;
        });
      let found: DetectedFace[];
      try {
        found = (await detector.detect(input)).filter((d) => d.score >= minScore);
      } finally {
        if (input !== image) input.dispose();
      }
      attempts++;
      if (found.length > 0) {
        // input pixel (u, v) ↔ original ((u − p) / sx, (v − p) / sy), align-corners resize
        const sy = h === H ? 1 : (h - 1) / Math.max(1, H - 1);
        const sx = w === W ? 1 : (w - 1) / Math.max(1, W - 1);
        const back = (q: { x: number; y: number }) => ({ x: (q.x - p) / sx, y: (q.y - p) / sy });
        const detections = found.map((d): DetectedFace => {
          const tl = back(d.box);
          const mapped: DetectedFace = {
            box: { x: tl.x, y: tl.y, width: d.box.width / sx, height: d.box.height / sy },
            score: d.score,
            ...(d.landmarks ? { landmarks: d.landmarks.map(back) } : {}),
          };
          return mapped;
        });
        return { detections, found: true, attempt: { border, scale }, attempts };
      }
    }
  }
  return { detections: [], found: false, attempt: null, attempts };
}

/**
 * Wraps a detector in {@link detectFacesRobust}, so `prepareFaces` (or
 * anything taking a {@link FaceDetectorAdapter}) gets pad-and-retry and
 * multi-scale search for free. `onMiss` is called with the image when no
 * attempt found a face, so the caller can report it.
 *
 * @example
 * ```ts
 * const robust = robustFaceDetector(detector, { onMiss: () => misses++ });
 * const { faces } = await prepareFaces(image, robust); // image [H,W,3] → faces [F,150,150,3]
 * ```
 */
export function robustFaceDetector(
  detector: FaceDetectorAdapter, options: RobustDetectOptions & { onMiss?: (image: tf.Tensor3D) => void } = {},
): FaceDetectorAdapter {
  if (detector == null || typeof detector.detect !== 'function') {
    throw new InvalidArgumentError({ fn: 'robustFaceDetector', argument: 'detector', message: 'expected a FaceDetectorAdapter with detect(image).' });
  }
  const { onMiss, ...rest } = options;
  return {
    async detect(image) {
      const r = await detectFacesRobust(image, detector, rest);
      if (!r.found) onMiss?.(image);
      return r.detections;
    },
  };
}
