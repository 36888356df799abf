import { analysePhoto, mainFace } from '../analyse-photo';
import { CliError, EXIT } from '../errors';
import { newGallery, openGallery, writeGallery } from '../gallery-file';
import { progress } from '../progress';
import type { Session } from '../session';

/** `likeness enrol <name> <photos...> --gallery faces.lkgl`: adds a person's face(s) to a gallery file. */
export async function enrolCommand(session: Session, name: string, photos: string[], opts: { gallery: string }): Promise<void> {
  if (!name.trim()) throw new CliError('the person’s name must not be empty', EXIT.usage);
  const backend = await session.backend();
  const { detector, embedder } = await session.faceModels();
  const gallery = (await openGallery(opts.gallery, embedder.embeddingSize)) ?? newGallery(embedder.embeddingSize);
  try {
    // Embed every photo first: the gallery is written only when all of them succeeded.
    const bar = progress(photos.length, 'enrolling', session.options.progress);
    const added: { embedding: Float32Array; source: string; faces: number }[] = [];
    try {
      for (const photo of photos) {
        const { faces } = await analysePhoto(photo, detector, embedder);
        const face = mainFace(faces, photo);
        added.push({ embedding: Float32Array.from(face.embedding), source: photo, faces: faces.length });
        bar.tick(photo);
      }
    } finally {
      bar.stop();
    }
    await gallery.enrol(name, added.map((a) => a.embedding));
    for (const a of added) if (a.faces > 1) session.log(`note: ${a.source} has ${a.faces} faces; enrolled the largest`);
    await writeGallery(opts.gallery, gallery);
    const total = (await gallery.entriesOf(name)).length;
    const people = (await gallery.identities()).length;
    session.log(`enrolled ${name}: ${added.length} face(s) added, ${total} in total; gallery ${opts.gallery} has ${people} people (backend ${backend.name})`);
    session.result({ name, added: added.length, total, people, gallery: opts.gallery, backend: backend.name });
  } finally {
    gallery.dispose();
  }
}
