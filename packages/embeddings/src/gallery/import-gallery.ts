import { InvalidArgumentError } from '@likeness/backends';
import { GalleryStoreError } from '../errors/gallery-store-error';
import { Gallery } from './gallery';
import { deserializeGallery } from './gallery-file';
import type { GalleryEntry, GalleryStoreV2 } from './gallery-store';

/** Options of {@link importGallery}. */
export interface ImportGalleryOptions {
  /** Names the source in errors (e.g. the file path). @defaultValue `'gallery'` */
  source?: string;
  /** Copy the source's metadata map too (overwriting keys the target has). @defaultValue `true` */
  metadata?: boolean;
}

/** What {@link importGallery} wrote. */
export interface ImportGalleryResult {
  /** Entries written (inserted or replaced by id). */
  readonly entries: number;
  /** Distinct identities among them. */
  readonly identities: number;
  /** Metadata keys copied. */
  readonly metadataKeys: number;
}

/**
 * Imports a gallery saved in the `.lkgl` file format (`serializeGallery`,
 * `saveGallery`), or another gallery, into any store or gallery: entry ids,
 * identities, embeddings and metadata are kept, and all entries are written
 * in one `doUpsert` call (one transaction in a database store: all or none).
 * Importing twice replaces rather than duplicates. The file is validated
 * first (`GalleryFormatError`); a target of another dimension or metric gets
 * a `GalleryStoreError` (`reason: 'mismatch'`) and is not changed.
 *
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * const store = await pgliteGalleryStore({ dataDir: './faces', dimension: 128 });
 * const r = await importGallery(await readFile('faces.lkgl'), store); // { entries: 400, identities: 40, metadataKeys: 1 }
 * ```
 */
export async function importGallery(from: Uint8Array | Gallery, to: GalleryStoreV2 | Gallery, options: ImportGalleryOptions = {}): Promise<ImportGalleryResult> {
  const fn = 'importGallery';
  const source = options.source ?? 'gallery';
  let gallery: Gallery;
  if (from instanceof Uint8Array) gallery = deserializeGallery(from, { source });
  else if (from instanceof Gallery) gallery = from;
  else throw new InvalidArgumentError({ fn, argument: 'from', message: 'expected the bytes of a .lkgl file (Uint8Array) or a Gallery.' });
  const target = to instanceof Gallery ? to.backingStore : to;
  if (target == null || (target as { specificationVersion?: unknown }).specificationVersion !== 'v2') {
    throw new InvalidArgumentError({ fn, argument: 'to', message: 'expected a GalleryStoreV2 (e.g. from pgliteGalleryStore) or a Gallery that has a store.' });
  }
  const store = gallery.backingStore;
  const entries: readonly GalleryEntry[] = store ? await store.doEntries() : [];
  const metadata = store && options.metadata !== false ? await store.doMetadata() : {};
  if (entries.length > 0 && gallery.dimension !== target.dimension) {
    throw new GalleryStoreError({ reason: 'mismatch', setting: 'dimension', message: `${source} holds ${gallery.dimension}-dimensional embeddings but the target store is ${target.dimension}-dimensional. Nothing was imported.` });
  }
  if (entries.length > 0 && gallery.metric !== target.metric) {
    throw new GalleryStoreError({ reason: 'mismatch', setting: 'metric', message: `${source} was built for '${gallery.metric}' but the target store searches with '${target.metric}'. Nothing was imported.` });
  }
  if (entries.length > 0) await target.doUpsert(entries);
  const keys = Object.keys(metadata);
  for (const k of keys) await target.doSetMetadata(k, metadata[k]);
  if (from instanceof Uint8Array) await gallery.close();
  return { entries: entries.length, identities: new Set(entries.map((e) => e.identity)).size, metadataKeys: keys.length };
}
