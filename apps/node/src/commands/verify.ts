import { analysePhoto, mainFace } from '../analyse-photo';
import { distanceMatrix } from '../distance-matrix';
import type { Session } from '../session';
import { parseThreshold } from './options';

/** `likeness verify a.jpg b.jpg`: are the main faces of two photos the same person? */
export async function verifyCommand(session: Session, a: string, b: string, opts: { threshold?: string }): Promise<void> {
  const bar = session.progress(3, 'verifying');
  let result;
  try {
    const backend = await session.backend();
    const { detector, embedder } = await session.faceModels();
    bar.tick('models loaded');
    const threshold = parseThreshold(opts.threshold, embedder.threshold);
    const pa = await analysePhoto(a, detector, embedder);
    const fa = mainFace(pa.faces, a);
    bar.tick(a);
    const pb = await analysePhoto(b, detector, embedder);
    const fb = mainFace(pb.faces, b);
    bar.tick(b);
    const distance = (await distanceMatrix([fa.embedding], [fb.embedding]))[0]![0]!;
    result = { same: distance <= threshold, distance, threshold, backend: backend.name, embedder: embedder.name, faces: [pa.faces.length, pb.faces.length] };
  } finally {
    bar.stop();
  }
  session.log(`${a}: ${result.faces[0]} face(s); ${b}: ${result.faces[1]} face(s) (comparing the largest of each)`);
  session.log(`distance ${result.distance.toFixed(4)} (threshold ${result.threshold}, backend ${result.backend})`);
  session.log(result.same ? 'same person' : 'different people');
  session.result(result);
}
