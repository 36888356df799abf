import { GalleryFormatError } from '@likeness/embeddings';
import { importGalleryFile } from '@likeness/embeddings/node';
import { CliError, EXIT } from '../errors';
import { galleryFolderExists, galleryKind, openGalleryFile, openGalleryFolder, readOnlyFileError } from '../gallery';
import { checkOutputPath } from '../output-path';
import type { Session } from '../session';

/**
 * `likeness gallery import faces.lkgl -g faces.gallery`: copies a gallery
 * file (identities, embeddings, entry ids, metadata) into a gallery folder,
 * created when missing, in one transaction (all or nothing). Importing the
 * same file twice replaces its entries rather than duplicating them; the file
 * is only read.
 */
export async function galleryImportCommand(session: Session, file: string, opts: { gallery: string }): Promise<void> {
  if ((await galleryKind(opts.gallery)) === 'file') throw readOnlyFileError(opts.gallery);
  await checkOutputPath(opts.gallery, { flag: '-g/--gallery', folder: true });
  // Checked (format, checksum, embedding size) before the folder is touched.
  const source = await openGalleryFile(file);
  if (!source) throw new CliError(`gallery file not found: ${file}`, EXIT.badInput);
  await source.close();
  const gallery = await openGalleryFolder(opts.gallery);
  let result, people: number, total: number;
  try {
    result = await importGalleryFile(file, gallery.backingStore!);
    people = (await gallery.identities()).length;
    total = await gallery.count();
  } catch (error) {
    if (GalleryFormatError.isInstance(error)) throw new CliError((error as Error).message, EXIT.gallery, { cause: error });
    throw error;
  } finally {
    await gallery.close();
  }
  session.log(`imported ${result.entries} face(s) of ${result.identities} people from ${file}; gallery ${opts.gallery} has ${total} face(s) of ${people} people`);
  session.result({ file, gallery: opts.gallery, imported: result.entries, importedPeople: result.identities, total, people });
}

/** `likeness gallery list -g faces.gallery`: who is enrolled, and how many faces each (a folder or a `.lkgl` file). */
export async function galleryListCommand(session: Session, opts: { gallery: string }): Promise<void> {
  const kind = await galleryKind(opts.gallery);
  const notFound = () => new CliError(`gallery not found: ${opts.gallery}`, EXIT.gallery);
  if (kind === 'folder' && !(await galleryFolderExists(opts.gallery))) throw notFound();
  const gallery = kind === 'file' ? await openGalleryFile(opts.gallery) : await openGalleryFolder(opts.gallery);
  if (!gallery) throw notFound();
  const people: { name: string; faces: number }[] = [];
  try {
    for (const name of await gallery.identities()) people.push({ name, faces: (await gallery.entriesOf(name)).length });
  } finally {
    await gallery.close();
  }
  for (const p of people) session.log(`${p.name}\t${p.faces} face(s)`);
  session.log(`${opts.gallery}: ${people.length} people, ${people.reduce((s, p) => s + p.faces, 0)} face(s)`);
  session.result({ gallery: opts.gallery, kind, people });
}
