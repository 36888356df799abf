import { analysePhoto, mainFace } from '../analyse-photo';
import { CliError, EXIT } from '../errors';
import { emptyGallery, readGallery, writeGallery } from '../gallery-file';
import { progress } from '../progress';
import type { Session } from '../session';

/** `likeness enrol <name> <photos...> --gallery g.json`: adds a person's face(s) to a gallery file. */
export async function enrolCommand(session: Session, name: string, photos: string[], opts: { gallery: string }): Promise<void> {
  if (!name.trim()) throw new CliError('the person’s name must not be empty', EXIT.usage);
  const existing = await readGallery(opts.gallery);
  const backend = await session.backend();
  const { detector, embedder } = await session.faceModels();
  const gallery = existing ?? emptyGallery(embedder.name, embedder.embeddingSize);
  if (gallery.embedder !== embedder.name || gallery.embeddingSize !== embedder.embeddingSize) {
    throw new CliError(`${opts.gallery} holds embeddings from "${gallery.embedder}", this CLI makes "${embedder.name}": enrol into a new gallery file`, EXIT.gallery);
  }
  // Embed every photo first: the gallery is written only when all of them succeeded.
  const bar = progress(photos.length, 'enrolling', session.options.progress);
  const added: { embedding: number[]; source: string; faces: number }[] = [];
  try {
    for (const photo of photos) {
      const { faces } = await analysePhoto(photo, detector, embedder);
      const face = mainFace(faces, photo);
      added.push({ embedding: Array.from(face.embedding), source: photo, faces: faces.length });
      bar.tick(photo);
    }
  } finally {
    bar.stop();
  }
  let person = gallery.people.find((p) => p.name === name);
  if (!person) gallery.people.push((person = { name, embeddings: [], sources: [] }));
  for (const a of added) {
    person.embeddings.push(a.embedding);
    person.sources.push(a.source);
    if (a.faces > 1) session.log(`note: ${a.source} has ${a.faces} faces; enrolled the largest`);
  }
  await writeGallery(opts.gallery, gallery);
  session.log(`enrolled ${name}: ${added.length} face(s) added, ${person.embeddings.length} in total; gallery ${opts.gallery} has ${gallery.people.length} people (backend ${backend.name})`);
  session.result({ name, added: added.length, total: person.embeddings.length, people: gallery.people.length, gallery: opts.gallery, backend: backend.name });
}
