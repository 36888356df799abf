import { analysePhoto } from '../analyse-photo';
import { annotate, PALETTE } from '../annotate';
import { CliError, EXIT } from '../errors';
import { openGallery } from '../gallery-file';
import { writeImageFile } from '../image-io';
import { checkOutputPath, IMAGE_EXTENSIONS } from '../output-path';
import type { Session } from '../session';
import { parseThreshold } from './options';

/** `likeness identify photo.jpg --gallery faces.lkgl [--out annotated.png]`: names every face in a photo. */
export async function identifyCommand(session: Session, photo: string, opts: { gallery: string; out?: string; threshold?: string }): Promise<void> {
  // The output is checked before anything is loaded: a bad -o costs nothing.
  if (opts.out) await checkOutputPath(opts.out, { flag: '-o/--out', extensions: IMAGE_EXTENSIONS });
  const bar = session.progress(2, 'identifying');
  let gallery: Awaited<ReturnType<typeof openGallery>>;
  let analysed: Awaited<ReturnType<typeof analysePhoto>>;
  let backendName: string;
  let threshold: number;
  try {
    backendName = (await session.backend()).name;
    const { detector, embedder } = await session.faceModels();
    bar.tick('models loaded');
    threshold = parseThreshold(opts.threshold, embedder.threshold);
    gallery = await openGallery(opts.gallery, embedder.embeddingSize);
    if (!gallery) throw new CliError(`gallery not found: ${opts.gallery} (create it with \`likeness enrol <name> <photos...> --gallery ${opts.gallery}\`)`, EXIT.gallery);
    if ((await gallery.count()) === 0) {
      gallery.dispose();
      throw new CliError(`gallery ${opts.gallery} is empty: enrol someone first`, EXIT.gallery);
    }
    try {
      analysed = await analysePhoto(photo, detector, embedder);
    } catch (error) {
      gallery.dispose();
      throw error;
    }
    bar.tick(`${analysed.faces.length} face(s) found`);
  } finally {
    bar.stop();
  }
  try {
    const { image, faces } = analysed;
    const names = await gallery.identities();
    if (faces.length === 0) throw new CliError(`no face found in ${photo}`, EXIT.noFace);
    const matches = await gallery.identify(faces.map((f) => Float32Array.from(f.embedding)), { threshold });
    const results = faces.map((f, i) => {
      const m = matches[i]!;
      return { box: f.box, score: f.score, name: m.identity, nearest: m.candidates[0]?.identity ?? null, distance: m.distance };
    });
    results.forEach((r, i) => {
      const who = r.name ?? `unknown (nearest ${r.nearest}, ${r.distance.toFixed(3)})`;
      session.log(`face ${i + 1} at (${Math.round(r.box.x)},${Math.round(r.box.y)}) ${Math.round(r.box.width)}×${Math.round(r.box.height)}: ${r.name ? `${who} (distance ${r.distance.toFixed(3)})` : who}`);
    });
    if (opts.out) {
      await writeImageFile(
        opts.out,
        annotate(image, results.map((r) => ({ box: r.box, label: r.name ?? 'unknown', color: r.name ? PALETTE[names.indexOf(r.name) % PALETTE.length] : '#ffffff' }))),
      );
      session.log(`annotated image: ${opts.out}`);
    }
    session.result({ faces: results, threshold, backend: backendName, out: opts.out ?? null });
  } finally {
    gallery.dispose();
  }
}
