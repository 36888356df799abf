import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { calibrateFaceThreshold, parseFaceCalibration, type FaceCalibration, type Gallery, type JsonValue } from '@likeness/embeddings';
import { CliError, EXIT } from '../errors';
import { facesIn, mainFace } from '../faces';
import { galleryKind, openGalleryFolder, readOnlyFileError } from '../gallery';
import { checkOutputPath } from '../output-path';
import type { Session } from '../session';
import { parseNumber } from './options';

/** The gallery metadata key the calibration is stored under (`verify -g` and `identify` read it). */
export const CALIBRATION_KEY = 'calibration';

/** Photo extensions a labelled folder's person subfolders are read for. */
const PHOTO_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.avif', '.tif', '.tiff', '.gif', '.pgm', '.ppm']);

/** The labelled photos of a folder with one subfolder per person, sorted by person and file name. */
export async function labelledPhotos(folder: string): Promise<{ photo: string; label: string }[]> {
  let entries;
  try {
    if (!(await stat(folder)).isDirectory()) throw new Error('not a folder');
    entries = await readdir(folder, { withFileTypes: true });
  } catch {
    throw new CliError(`not a folder: ${folder} (expected a folder with one subfolder of photos per person)`, EXIT.badInput);
  }
  const out: { photo: string; label: string }[] = [];
  for (const person of entries.filter((e) => e.isDirectory()).map((e) => e.name).sort()) {
    const files = (await readdir(join(folder, person), { withFileTypes: true }))
      .filter((f) => f.isFile() && PHOTO_EXTENSIONS.has(extname(f.name).toLowerCase()))
      .map((f) => f.name)
      .sort();
    for (const f of files) out.push({ photo: join(folder, person, f), label: person });
  }
  const people = new Set(out.map((p) => p.label));
  const counts = [...people].map((p) => out.filter((o) => o.label === p).length);
  if (out.length === 0) throw new CliError(`no photos in ${folder}: expected one subfolder of photos per person (e.g. ${join(folder, 'ann', '1.jpg')})`, EXIT.badInput);
  if (people.size < 2) throw new CliError(`${folder} holds one person (${[...people][0]}): calibration needs photos of at least two people, to measure how often different people are accepted`, EXIT.badInput);
  if (!counts.some((c) => c >= 2)) throw new CliError(`${folder}: every person has one photo; calibration needs at least two photos of someone, to measure how often one person is accepted`, EXIT.badInput);
  return out;
}

/** The calibration stored in a gallery, or null; a damaged one is an error naming the gallery. */
export async function storedCalibration(gallery: Gallery, path: string): Promise<FaceCalibration | null> {
  const value = await gallery.metadata.get(CALIBRATION_KEY);
  if (value === undefined || value === null) return null;
  try {
    return parseFaceCalibration(value);
  } catch (error) {
    throw new CliError(`gallery ${path} holds an unusable calibration (${(error as Error).message}); run \`likeness calibrate <folder> --gallery ${path}\` again`, EXIT.gallery, { cause: error });
  }
}

/** How a calibration reads in messages: its threshold, FAR and what it was measured on. */
export function describeCalibration(c: FaceCalibration): string {
  return `threshold ${c.threshold.toFixed(3)} for a ${(c.targetFar * 100).toPrecision(2)} % false-accept rate (measured FAR ${(c.far * 100).toFixed(2)} %, TAR ${(c.tar * 100).toFixed(1)} % on ${c.pairs.same} same-person and ${c.pairs.different} different-person pairs)`;
}

/**
 * `likeness calibrate <folder> --gallery faces.gallery [--far 0.001]`: picks the
 * threshold for a target false-accept rate from the user's own labelled photos
 * (the largest face of each; every pair scored, `calibrateFaceThreshold`) and
 * stores it in the gallery folder's metadata, where `verify -g` and `identify`
 * find it. Every photo is embedded before the gallery is opened.
 */
export async function calibrateCommand(session: Session, folder: string, opts: { gallery: string; far?: string }): Promise<void> {
  const targetFar = parseNumber('far', opts.far, { exclusiveMin: true, min: 0, max: 0.5 }) ?? 1e-3;
  if ((await galleryKind(opts.gallery)) === 'file') throw readOnlyFileError(opts.gallery);
  await checkOutputPath(opts.gallery, { flag: '-g/--gallery', folder: true });
  const photos = await labelledPhotos(folder);
  const bar = session.progress(photos.length + 1, 'calibrating');
  const descriptors: Float32Array[] = [];
  let backendName: string;
  try {
    backendName = (await session.backend()).name;
    const faces = await session.faces();
    bar.tick('models loaded');
    for (const p of photos) {
      descriptors.push(mainFace(await facesIn(faces, p.photo), p.photo).descriptor);
      bar.tick(p.photo);
    }
  } finally {
    bar.stop();
  }
  const people = new Set(photos.map((p) => p.label)).size;
  const calibration = calibrateFaceThreshold(descriptors, photos.map((p) => p.label), { targetFar, source: `likeness calibrate ${folder}: ${photos.length} photos of ${people} people` });
  const gallery = await openGalleryFolder(opts.gallery);
  try {
    await gallery.metadata.set(CALIBRATION_KEY, JSON.parse(JSON.stringify(calibration)) as JsonValue);
  } finally {
    await gallery.close();
  }
  session.log(`calibrated on ${photos.length} photos of ${people} people: ${describeCalibration(calibration)}`);
  session.log(`stored in ${opts.gallery}; verify -g ${opts.gallery} and identify -g ${opts.gallery} use it unless -t is given`);
  session.result({ calibration, photos: photos.length, people, gallery: opts.gallery, backend: backendName });
}
