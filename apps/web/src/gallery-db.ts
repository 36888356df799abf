/**
 * The page's face gallery: `@likeness/embeddings`' Gallery on PGlite with
 * pgvector (`@likeness/gallery-pgvector`), persisted in this browser's
 * IndexedDB (`idb://likeness-faces`). Writes are transactions, so an
 * enrolment is stored whole or not at all and survives a reload.
 *
 * Earlier versions of the page kept the gallery in their own IndexedDB
 * database (`likeness-gallery`, one `{ name, embeddings }` record per
 * person); {@link openGallery} moves such a gallery into PGlite once, in one
 * transaction, and deletes the old database only after that commit.
 */
import { createGallery, type Gallery } from '@likeness/embeddings';
import { pgliteGalleryStore } from '@likeness/gallery-pgvector';

/** Where the gallery lives (PGlite's IndexedDB database is `/pglite/likeness-faces`). */
export const GALLERY_DATA_DIR = 'idb://likeness-faces';
/** The database of earlier versions of this page, migrated once by {@link openGallery}. */
export const LEGACY_DB = 'likeness-gallery';
const LEGACY_STORE = 'people';
/** Metadata key recording that the legacy gallery was imported (so it is never imported twice). */
const MIGRATED_KEY = 'migrated-from-indexeddb';
/** Length of the dlib ResNet face descriptors the page computes. */
export const DIMENSION = 128;

/** A person of the legacy IndexedDB gallery. */
interface LegacyPerson {
  name: string;
  embeddings: number[][];
}

/** One line of the gallery list: an identity and how many faces it has. */
export interface PersonSummary {
  name: string;
  faces: number;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** The legacy gallery's people, or `null` when that database does not exist (never creates it). */
async function readLegacyGallery(): Promise<LegacyPerson[] | null> {
  if (typeof indexedDB === 'undefined' || typeof indexedDB.databases !== 'function') return null;
  const dbs = await indexedDB.databases();
  if (!dbs.some((d) => d.name === LEGACY_DB)) return null;
  const open = indexedDB.open(LEGACY_DB);
  // An upgrade here means the database vanished meanwhile: create nothing.
  open.onupgradeneeded = () => open.transaction?.abort();
  let db: IDBDatabase;
  try {
    db = await request(open);
  } catch {
    return null;
  }
  try {
    if (!db.objectStoreNames.contains(LEGACY_STORE)) return [];
    return await request(db.transaction(LEGACY_STORE, 'readonly').objectStore(LEGACY_STORE).getAll() as IDBRequest<LegacyPerson[]>);
  } finally {
    db.close();
  }
}

function deleteLegacyGallery(): Promise<void> {
  return new Promise((resolve) => {
    const req = indexedDB.deleteDatabase(LEGACY_DB);
    // blocked/failed: the migration marker keeps it from being imported again
    req.onsuccess = req.onerror = req.onblocked = () => resolve();
  });
}

/**
 * Moves a legacy IndexedDB gallery into `gallery` once: every embedding of
 * every person in one transaction (all or nothing), marked in the gallery's
 * metadata, then the legacy database is deleted. Returns the number of
 * embeddings imported (0 when there was nothing to move).
 */
export async function migrateLegacyGallery(gallery: Gallery): Promise<number> {
  if ((await gallery.metadata.get(MIGRATED_KEY)) !== undefined) {
    await deleteLegacyGallery();
    return 0;
  }
  const people = await readLegacyGallery();
  if (people === null) return 0;
  const entries = people.flatMap((p) =>
    (Array.isArray(p.embeddings) ? p.embeddings : [])
      .filter((e) => Array.isArray(e) && e.length === DIMENSION && e.every(Number.isFinite))
      .map((embedding, i) => ({ id: `${p.name}#legacy-${i}`, identity: p.name, embedding })),
  );
  if (entries.length > 0) await gallery.upsert(entries);
  await gallery.metadata.set(MIGRATED_KEY, { at: new Date().toISOString(), entries: entries.length });
  await deleteLegacyGallery();
  return entries.length;
}

/**
 * Opens the page's gallery (PGlite in IndexedDB, L2 distance on 128-D
 * descriptors) and migrates a legacy IndexedDB gallery into it once.
 *
 * @example
 * ```ts
 * const { gallery } = await openGallery();
 * await gallery.enrol('ada', face.embedding);
 * const [r] = await gallery.identify(probe, { threshold: 0.5 });
 * ```
 */
export async function openGallery(dataDir: string = GALLERY_DATA_DIR): Promise<{ gallery: Gallery; migrated: number }> {
  const store = await pgliteGalleryStore({ dataDir, dimension: DIMENSION, metric: 'l2' });
  const gallery = createGallery({ store });
  try {
    return { gallery, migrated: await migrateLegacyGallery(gallery) };
  } catch (e) {
    await gallery.close();
    throw e;
  }
}

/** Every enrolled person with the number of faces kept for them, sorted by name. */
export async function listPeople(gallery: Gallery): Promise<PersonSummary[]> {
  const names = await gallery.identities();
  return Promise.all(names.map(async (name) => ({ name, faces: (await gallery.entriesOf(name)).length })));
}
