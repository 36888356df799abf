import { CliError, EXIT } from '../errors';
import { facesIn, formatThreshold, mainFace } from '../faces';
import { galleryFolderExists, galleryKind, openGalleryFolder } from '../gallery';
import type { Session } from '../session';
import { storedCalibration } from './calibrate';
import { parseThreshold } from './options';

/** What the recognizer is, for `--json` (embeddings from different pipelines never mix). */
export const EMBEDDER = 'dlib-resnet-v1, flip-averaged (@likeness/embeddings createFaceRecognizer)';

/** `likeness verify a.jpg b.jpg`: are the main faces of two photos the same person? */
export async function verifyCommand(session: Session, a: string, b: string, opts: { threshold?: string; gallery?: string }): Promise<void> {
  const bar = session.progress(3, 'verifying');
  let result;
  let thresholdSource: ThresholdSource = 'default';
  try {
    const backend = await session.backend();
    const faces = await session.faces();
    bar.tick('models loaded');
    const stored = opts.gallery && opts.threshold === undefined ? await calibrationOf(opts.gallery) : null;
    if (stored) faces.useCalibration(stored);
    const threshold = parseThreshold(opts.threshold, faces.calibration.threshold);
    thresholdSource = opts.threshold !== undefined ? 'option' : stored ? 'gallery' : 'default';
    const pa = await facesIn(faces, a);
    const fa = mainFace(pa, a);
    bar.tick(a);
    const pb = await facesIn(faces, b);
    const fb = mainFace(pb, b);
    bar.tick(b);
    const { distance, confidence } = await faces.verify(fa.descriptor, fb.descriptor);
    result = { same: distance <= threshold, distance, confidence, threshold, thresholdSource, backend: backend.name, embedder: EMBEDDER, faces: [pa.faces.length, pb.faces.length] };
  } finally {
    bar.stop();
  }
  session.log(`${a}: ${result.faces[0]} face(s); ${b}: ${result.faces[1]} face(s) (comparing the largest of each)`);
  session.log(`distance ${result.distance.toFixed(4)} (threshold ${thresholdSource === 'gallery' ? `${result.threshold.toFixed(3)}, calibrated in ${opts.gallery}` : formatThreshold(result.threshold)}, backend ${result.backend})`);
  session.log(result.same ? `same person (confidence ${(result.confidence * 100).toFixed(1)} %)` : `different people (confidence that they are one person ${(result.confidence * 100).toFixed(1)} %)`);
  session.result(result);
}

/** Where a command's threshold came from: `-t`, the calibration stored in the gallery (`likeness calibrate`), or the library's default. */
export type ThresholdSource = 'option' | 'gallery' | 'default';

/** The calibration `likeness calibrate` stored in a gallery folder, or null (read without keeping the folder open). */
async function calibrationOf(path: string) {
  if ((await galleryKind(path)) === 'file' || !(await galleryFolderExists(path))) {
    throw new CliError(`gallery not found: ${path} (create it with \`likeness calibrate <folder> --gallery ${path}\` or \`likeness enrol\`)`, EXIT.gallery);
  }
  const gallery = await openGalleryFolder(path);
  try {
    return await storedCalibration(gallery, path);
  } finally {
    await gallery.close();
  }
}
