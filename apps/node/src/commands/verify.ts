import { analysePhoto, mainFace } from '../analyse-photo';
import { distanceMatrix } from '../distance-matrix';
import type { Session } from '../session';
import { parseThreshold } from './options';

/** `likeness verify a.jpg b.jpg`: are the main faces of two photos the same person? */
export async function verifyCommand(session: Session, a: string, b: string, opts: { threshold?: string }): Promise<void> {
  const backend = await session.backend();
  const { detector, embedder } = await session.faceModels();
  const threshold = parseThreshold(opts.threshold, embedder.threshold);
  const pa = await analysePhoto(a, detector, embedder);
  const fa = mainFace(pa.faces, a);
  const pb = await analysePhoto(b, detector, embedder);
  const fb = mainFace(pb.faces, b);
  const distance = (await distanceMatrix([fa.embedding], [fb.embedding]))[0]![0]!;
  const same = distance <= threshold;
  session.log(`${a}: ${pa.faces.length} face(s); ${b}: ${pb.faces.length} face(s) (comparing the largest of each)`);
  session.log(`distance ${distance.toFixed(4)} (threshold ${threshold}, backend ${backend.name})`);
  session.log(same ? 'same person' : 'different people');
  session.result({ same, distance: distance, threshold, backend: backend.name, embedder: embedder.name, faces: [pa.faces.length, pb.faces.length] });
}
