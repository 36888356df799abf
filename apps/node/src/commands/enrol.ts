import type { Gallery } from '@likeness/embeddings';
import { CliError, EXIT } from '../errors';
import { facesIn, formatThreshold, mainFace } from '../faces';
import { galleryKind, openGalleryFolder, readOnlyFileError } from '../gallery';
import { checkOutputPath } from '../output-path';
import type { Session } from '../session';

/** A face being enrolled that the gallery already holds under another name. */
export interface DuplicateWarning {
  photo: string;
  /** The other name it is enrolled under. */
  identity: string;
  distance: number;
}

/**
 * `likeness enrol <name> <photos...> --gallery faces.gallery`: adds a person's face(s) to a gallery folder.
 * Every photo is embedded first (the gallery is not open yet); then the
 * gallery is opened (which locks the folder: another process waits), checked
 * for the same faces under other names, and the faces are added in one
 * transaction, so concurrent enrolments from several processes all land.
 */
export async function enrolCommand(session: Session, name: string, photos: string[], opts: { gallery: string }): Promise<void> {
  if (!name.trim()) throw new CliError('the person’s name must not be empty', EXIT.usage);
  if ((await galleryKind(opts.gallery)) === 'file') throw readOnlyFileError(opts.gallery);
  await checkOutputPath(opts.gallery, { flag: '-g/--gallery', folder: true });
  const bar = session.progress(photos.length + 1, 'enrolling');
  const added: { embedding: Float32Array; source: string; faces: number }[] = [];
  let backendName: string;
  let threshold: number;
  try {
    const backend = await session.backend();
    backendName = backend.name;
    const faces = await session.faces();
    threshold = faces.calibration.threshold;
    bar.tick('models loaded');
    // Embed every photo first: the gallery is written only when all of them succeeded.
    for (const photo of photos) {
      const found = await facesIn(faces, photo);
      added.push({ embedding: Float32Array.from(mainFace(found, photo).descriptor), source: photo, faces: found.faces.length });
      bar.tick(photo);
    }
  } finally {
    bar.stop();
  }
  for (const a of added) if (a.faces > 1) session.log(`note: ${a.source} has ${a.faces} faces; enrolled the largest`);
  const gallery = await openGalleryFolder(opts.gallery);
  let total: number, people: number, warnings: DuplicateWarning[];
  try {
    warnings = await duplicatesUnderOtherNames(gallery, name, added, threshold);
    await gallery.enrol(name, added.map((a) => a.embedding));
    total = (await gallery.entriesOf(name)).length;
    people = (await gallery.identities()).length;
  } finally {
    await gallery.close();
  }
  for (const w of warnings) {
    session.warn(`${w.photo} looks like "${w.identity}", already in the gallery (distance ${w.distance.toFixed(3)} ≤ ${formatThreshold(threshold)}); enrolled as "${name}" anyway (remove one of them if they are the same person)`);
  }
  session.log(`enrolled ${name}: ${added.length} face(s) added, ${total} in total; gallery ${opts.gallery} has ${people} people (backend ${backendName})`);
  session.result({ name, added: added.length, total, people, gallery: opts.gallery, backend: backendName, warnings });
}

/** The faces that match an identity other than `name` within `threshold` (nearest such identity each). */
async function duplicatesUnderOtherNames(
  gallery: Gallery,
  name: string,
  faces: readonly { embedding: Float32Array; source: string }[],
  threshold: number,
): Promise<DuplicateWarning[]> {
  if (faces.length === 0 || (await gallery.count()) === 0) return [];
  const k = Math.min(2, (await gallery.identities()).length);
  const matches = await gallery.identify(faces.map((f) => f.embedding), { threshold, k });
  const out: DuplicateWarning[] = [];
  matches.forEach((m, i) => {
    const other = m.candidates.find((c) => c.identity !== name);
    if (other && other.distance <= threshold) out.push({ photo: faces[i]!.source, identity: other.identity, distance: other.distance });
  });
  return out;
}
