/**
 * The CLI's face step: `@likeness/embeddings`' recognizer on a photo path,
 * with its typed errors turned into the CLI's exit codes and messages.
 */
import { stat } from 'node:fs/promises';
import { InvalidArgumentError } from '@likeness/backends';
import { DEFAULT_FACE_CALIBRATION, ImageTooLargeError, type EmbeddedFace, type FaceSearch } from '@likeness/embeddings';
import type { FaceRecognizer, NodeImageInput } from '@likeness/embeddings/node';
import { CliError, EXIT } from './errors';

/** The recognizer the CLI uses (paths and bytes as input). */
export type Faces = FaceRecognizer<NodeImageInput>;

/** The library's default distance threshold (plain L2), as the CLI prints it. */
export const DEFAULT_THRESHOLD = DEFAULT_FACE_CALIBRATION.threshold;

/** A threshold for messages: three decimals (0.502), or as given by the user. */
export function formatThreshold(t: number): string {
  return t === DEFAULT_THRESHOLD ? t.toFixed(3) : String(t);
}

/** What `--threshold` says by default: the library's calibrated value and what it means. */
export const THRESHOLD_HELP = `L2 distance above which faces are different people (default: ${formatThreshold(DEFAULT_THRESHOLD)}, @likeness/embeddings' threshold for a ${(DEFAULT_FACE_CALIBRATION.targetFar * 100).toFixed(1)} % false-accept rate on ORL)`;

/**
 * Every face of a photo with its descriptor, largest first (box and
 * landmarks in the photo's own pixels, EXIF-rotated).
 *
 * @throws CliError(EXIT.badInput) when the file is missing, not a file, not an image, or too large to decode.
 */
export async function facesIn(faces: Faces, path: string): Promise<FaceSearch<EmbeddedFace>> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new CliError(`file not found: ${path}`, EXIT.badInput);
  }
  if (!info.isFile()) throw new CliError(`not a file: ${path}`, EXIT.badInput);
  try {
    return await faces.embed(path);
  } catch (error) {
    if (ImageTooLargeError.isInstance(error)) {
      const { width, height, maxPixels } = error;
      throw new CliError(
        `image too large: ${path} is ${width}×${height} = ${((width * height) / 1e6).toFixed(0)} megapixels, over the limit of ${(maxPixels / 1e6).toFixed(0)} megapixels: shrink it first`,
        EXIT.badInput,
        { cause: error },
      );
    }
    if (InvalidArgumentError.isInstance(error) && error.argument === 'image') {
      throw new CliError(`not an image (or a damaged one): ${path} (${error.message})`, EXIT.badInput, { cause: error });
    }
    throw error;
  }
}

/**
 * The main face of a photo (the largest: the recognizer orders them); several faces are allowed, none is not.
 * @throws CliError(EXIT.noFace)
 */
export function mainFace<F>(search: FaceSearch<F>, path: string): F {
  const face = search.faces[0];
  if (face === undefined) {
    const { attempts, smallFacePasses } = search.tried;
    throw new CliError(
      `no face found in ${path} (${attempts + smallFacePasses} detector passes): use a photo where a face is clearly visible (frontal, at least ~24 px between the eyes)`,
      EXIT.noFace,
    );
  }
  return face;
}
