import type { DetectedFace, FaceDetectorAdapter } from './face-detector';

/** Relative landmark positions inside the fake face's box (eyes, nose, mouth corners). */
export const BRIGHT_FACE_LANDMARKS = [[0.3, 0.4], [0.7, 0.4], [0.5, 0.6], [0.35, 0.8], [0.65, 0.8]] as const;

/** Options of {@link brightRegionDetector}. */
export interface BrightRegionDetectorOptions {
  /**
   * Context the fake needs around a face, like face-api's SSD: the face is
   * reported only when its distance to every image edge is at least
   * `margin` × its size. @defaultValue `0` (no context needed)
   */
  margin?: number;
  /** Smallest face height (px) it reports. @defaultValue `0` */
  minSize?: number;
  /** The score of every detection. @defaultValue `0.9` */
  score?: number;
}

/**
 * Test fixture (not exported by the package): a fake face detector that
 * finds the bright (> 0.5) region of channel 0 and answers it as one face,
 * box = the region's bounding box, 5 landmarks at
 * {@link BRIGHT_FACE_LANDMARKS} inside it; records each input's shape in
 * `shapes`, so a test can count and check the passes.
 *
 * @example
 * ```ts
 * const det = brightRegionDetector({ margin: 0.3, minSize: 60 });
 * await detectFacesRobust(img, det); det.shapes.length; // passes run
 * ```
 */
export function brightRegionDetector(options: BrightRegionDetectorOptions = {}): FaceDetectorAdapter & { shapes: number[][] } {
  const { margin = 0, minSize = 0, score = 0.9 } = options;
  const shapes: number[][] = [];
  return {
    shapes,
    async detect(image) {
      shapes.push(image.shape.slice());
      const [H, W] = image.shape;
      const v = await image.data();
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
        if (v[(y * W + x) * 3]! > 0.5) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
      }
      if (x0 === Infinity) return [];
      const w = x1 - x0 + 1, h = y1 - y0 + 1;
      if (h < minSize) return [];
      if (x0 < margin * w || y0 < margin * h || W - 1 - x1 < margin * w || H - 1 - y1 < margin * h) return [];
      const face: DetectedFace = {
        box: { x: x0, y: y0, width: w, height: h }, score,
        landmarks: BRIGHT_FACE_LANDMARKS.map(([a, b]) => ({ x: x0 + a * w, y: y0 + b * h })),
      };
      return [face];
    },
  };
}
