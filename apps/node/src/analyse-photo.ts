import { CliError, EXIT } from './errors';
import type { DetectedFace, FaceDetector } from './face-api';
import type { FaceEmbedder } from './face-embedder';
import { readImage, type RgbImage } from './image-io';

/** A face found in a photo, with its embedding. */
export interface EmbeddedFace extends DetectedFace {
  embedding: Float32Array;
}

/** Photos are shrunk to this longest side before detection (the detector works at 512²). */
export const MAX_SIDE = 1600;

/** Reads a photo, finds every face and embeds each. */
export async function analysePhoto(
  path: string,
  detector: FaceDetector,
  embedder: FaceEmbedder,
): Promise<{ image: RgbImage; faces: EmbeddedFace[] }> {
  const image = await readImage(path, { maxSide: MAX_SIDE });
  const faces = await detector.detect(image);
  const embeddings = await embedder.embed(image, faces);
  return { image, faces: faces.map((f, i) => ({ ...f, embedding: embeddings[i]! })) };
}

/**
 * The main face of a photo (largest box); several faces are allowed, none is not.
 * @throws CliError(EXIT.noFace)
 */
export function mainFace<T extends DetectedFace>(faces: readonly T[], path: string): T {
  if (faces.length === 0) {
    throw new CliError(`no face found in ${path}: use a photo where a face is clearly visible (frontal, at least ~40 px wide)`, EXIT.noFace);
  }
  return faces.reduce((best, f) => (f.box.width * f.box.height > best.box.width * best.box.height ? f : best));
}

/** Plain Euclidean distance between two embeddings. */
export function l2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}
