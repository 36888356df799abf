import { facesIn, formatThreshold, mainFace } from '../faces';
import type { Session } from '../session';
import { parseThreshold } from './options';

/** What the recognizer is, for `--json` (embeddings from different pipelines never mix). */
export const EMBEDDER = 'dlib-resnet-v1, flip-averaged (@likeness/embeddings createFaceRecognizer)';

/** `likeness verify a.jpg b.jpg`: are the main faces of two photos the same person? */
export async function verifyCommand(session: Session, a: string, b: string, opts: { threshold?: string }): Promise<void> {
  const bar = session.progress(3, 'verifying');
  let result;
  try {
    const backend = await session.backend();
    const faces = await session.faces();
    bar.tick('models loaded');
    const threshold = parseThreshold(opts.threshold, faces.calibration.threshold);
    const pa = await facesIn(faces, a);
    const fa = mainFace(pa, a);
    bar.tick(a);
    const pb = await facesIn(faces, b);
    const fb = mainFace(pb, b);
    bar.tick(b);
    const { distance, confidence } = await faces.verify(fa.descriptor, fb.descriptor);
    result = { same: distance <= threshold, distance, confidence, threshold, backend: backend.name, embedder: EMBEDDER, faces: [pa.faces.length, pb.faces.length] };
  } finally {
    bar.stop();
  }
  session.log(`${a}: ${result.faces[0]} face(s); ${b}: ${result.faces[1]} face(s) (comparing the largest of each)`);
  session.log(`distance ${result.distance.toFixed(4)} (threshold ${formatThreshold(result.threshold)}, backend ${result.backend})`);
  session.log(result.same ? `same person (confidence ${(result.confidence * 100).toFixed(1)} %)` : `different people (confidence that they are one person ${(result.confidence * 100).toFixed(1)} %)`);
  session.result(result);
}
