import { confidenceFromDistance, type EmbeddedFace, type FaceSearch, type Gallery } from '@likeness/embeddings';
import { annotate, PALETTE } from '../annotate';
import { CliError, EXIT } from '../errors';
import { facesIn } from '../faces';
import { galleryFolderExists, galleryKind, openGalleryFile, openGalleryFolder } from '../gallery';
import { readImage, writeImageFile } from '../image-io';
import { checkOutputPath, IMAGE_EXTENSIONS } from '../output-path';
import type { Session } from '../session';
import { storedCalibration } from './calibrate';
import { parseThreshold } from './options';
import type { ThresholdSource } from './verify';

/** The annotated image (`--out`) is shrunk to at most this many pixels on its longer side. */
export const ANNOTATED_MAX_SIDE = 1600;

/**
 * `likeness identify photo.jpg --gallery faces.gallery [--out annotated.png]`: names every face in a photo.
 * A gallery folder is opened (and so locked) only after the photo is embedded; a `.lkgl` file is read as it was.
 */
export async function identifyCommand(session: Session, photo: string, opts: { gallery: string; out?: string; threshold?: string }): Promise<void> {
  // The output is checked before anything is loaded: a bad -o costs nothing.
  if (opts.out) await checkOutputPath(opts.out, { flag: '-o/--out', extensions: IMAGE_EXTENSIONS });
  const bar = session.progress(2, 'identifying');
  let gallery: Gallery | undefined;
  let found: FaceSearch<EmbeddedFace>;
  let backendName: string;
  let threshold: number;
  try {
    backendName = (await session.backend()).name;
    const faces = await session.faces();
    bar.tick('models loaded');
    threshold = parseThreshold(opts.threshold, faces.calibration.threshold);
    const kind = await galleryKind(opts.gallery);
    const notFound = () => new CliError(`gallery not found: ${opts.gallery} (create it with \`likeness enrol <name> <photos...> --gallery ${opts.gallery}\`)`, EXIT.gallery);
    if (kind === 'file') {
      gallery = await openGalleryFile(opts.gallery);
      if (!gallery) throw notFound();
      await assertNotEmpty(gallery, opts.gallery);
    } else if (!(await galleryFolderExists(opts.gallery))) {
      throw notFound();
    }
    try {
      found = await facesIn(faces, photo);
      gallery ??= await openGalleryFolder(opts.gallery);
      if (kind === 'folder') await assertNotEmpty(gallery, opts.gallery);
    } catch (error) {
      await gallery?.close();
      throw error;
    }
    bar.tick(`${found.faces.length} face(s) found`);
  } finally {
    bar.stop();
  }
  let thresholdSource: ThresholdSource = opts.threshold !== undefined ? 'option' : 'default';
  try {
    const stored = opts.threshold === undefined ? await storedCalibration(gallery, opts.gallery) : null;
    if (stored) {
      (await session.faces()).useCalibration(stored);
      threshold = stored.threshold;
      thresholdSource = 'gallery';
      session.log(`threshold ${threshold.toFixed(3)}: calibrated in ${opts.gallery} (likeness calibrate)`);
    }
    const names = await gallery.identities();
    if (found.faces.length === 0) throw new CliError(`no face found in ${photo}`, EXIT.noFace);
    const answers = await gallery.identify(found.faces.map((f) => f.descriptor), { threshold });
    await gallery.close(); // releases the folder before the annotated image is drawn
    const { calibration } = await session.faces();
    const results = found.faces.map((f, i) => {
      const m = answers[i]!;
      return {
        box: f.box,
        score: f.score,
        quality: f.quality,
        name: m.identity,
        nearest: m.candidates[0]?.identity ?? null,
        distance: m.distance,
        confidence: confidenceFromDistance(calibration, m.distance),
      };
    });
    results.forEach((r, i) => {
      const who = r.name ?? `unknown (nearest ${r.nearest}, ${r.distance.toFixed(3)})`;
      session.log(`face ${i + 1} at (${Math.round(r.box.x)},${Math.round(r.box.y)}) ${Math.round(r.box.width)}×${Math.round(r.box.height)}: ${r.name ? `${who} (distance ${r.distance.toFixed(3)})` : who}`);
    });
    if (opts.out) {
      const image = await readImage(photo, { maxSide: ANNOTATED_MAX_SIDE });
      const k = image.width / found.width; // the annotated image's pixels per photo pixel
      await writeImageFile(
        opts.out,
        annotate(
          image,
          results.map((r) => ({
            box: { x: r.box.x * k, y: r.box.y * k, width: r.box.width * k, height: r.box.height * k },
            label: r.name ?? 'unknown',
            color: r.name ? PALETTE[names.indexOf(r.name) % PALETTE.length] : '#ffffff',
          })),
        ),
      );
      session.log(`annotated image: ${opts.out}`);
    }
    session.result({ faces: results, threshold, thresholdSource, backend: backendName, width: found.width, height: found.height, out: opts.out ?? null });
  } finally {
    await gallery.close();
  }
}

/** @throws CliError(EXIT.gallery) when the gallery holds nobody (closing it first). */
async function assertNotEmpty(gallery: Gallery, path: string): Promise<void> {
  if ((await gallery.count()) > 0) return;
  await gallery.close();
  throw new CliError(`gallery ${path} is empty: enrol someone first`, EXIT.gallery);
}
