import { InvalidArgumentError } from '@likeness/backends';
import { DISTANCE_METRICS, type DistanceMetric } from '../distance/distance-metric';
import { GalleryFormatError } from '../errors/gallery-format-error';
import { Gallery } from './gallery';
import type { JsonValue } from './gallery-store';
import { MemoryGalleryStore } from './memory-gallery-store';

/** The current gallery file format version. */
export const GALLERY_FORMAT_VERSION = 1;
const MAGIC = [0x4c, 0x4b, 0x47, 0x4c]; // "LKGL"

/** CRC-32 (IEEE) of bytes. */
function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (let i = 0; i < bytes.length; i++) {
    c ^= bytes[i]!;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/**
 * Serialises a gallery to bytes: "LKGL", format version, a JSON header
 * (dimension, metric, ids, identities, CRC-32 of the data, the metadata map), then the
 * float32 embeddings. Browser-safe; in Node use `saveGallery` (atomic).
 *
 * @example
 * ```ts
 * const bytes = await serializeGallery(gallery); // Uint8Array, ≈ 4·D bytes per entry + ids
 * ```
 */
export async function serializeGallery(gallery: Gallery): Promise<Uint8Array> {
  if (!(gallery instanceof Gallery)) throw new InvalidArgumentError({ fn: 'serializeGallery', argument: 'gallery', message: 'expected a Gallery from createGallery().' });
  const store = gallery.backingStore;
  const D = gallery.dimension ?? 0;
  let ids: readonly string[] = [], identities: readonly string[] = [], data: Float32Array = new Float32Array(0);
  let metadata: Record<string, unknown> = {};
  if (store instanceof MemoryGalleryStore) {
    ({ ids, identities, data } = store.rows());
    metadata = store.metadataEntries();
  } else if (store) {
    const entries = await store.doEntries();
    ids = entries.map((e) => e.id);
    identities = entries.map((e) => e.identity);
    data = new Float32Array(entries.length * D);
    entries.forEach((e, i) => data.set(e.embedding, i * D));
    metadata = await store.doMetadata();
  }
  const dataBytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const header = new TextEncoder().encode(JSON.stringify({ dimension: D, metric: gallery.metric, count: ids.length, ids, identities, crc32: crc32(dataBytes), metadata }));
  const pad = (4 - ((12 + header.length) % 4)) % 4; // keep the float data 4-byte aligned
  const out = new Uint8Array(12 + header.length + pad + dataBytes.length);
  out.set(MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint32(4, GALLERY_FORMAT_VERSION, true);
  view.setUint32(8, header.length + pad, true);
  out.set(header, 12);
  out.fill(0x20, 12 + header.length, 12 + header.length + pad);
  out.set(dataBytes, 12 + header.length + pad);
  return out;
}

/**
 * Reads bytes written by {@link serializeGallery} into a new in-memory
 * gallery, validating magic, version, sizes and checksum
 * ({@link GalleryFormatError} otherwise; nothing is modified).
 *
 * @example
 * ```ts
 * const gallery = deserializeGallery(bytes); // Uint8Array → Gallery
 * ```
 */
export function deserializeGallery(bytes: Uint8Array, options: { source?: string } = {}): Gallery {
  const source = options.source ?? 'gallery';
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError({ fn: 'deserializeGallery', argument: 'bytes', message: 'expected a Uint8Array (the file contents).' });
  if (bytes.length < 12 || MAGIC.some((m, i) => bytes[i] !== m)) {
    throw new GalleryFormatError({ source, message: 'is not a likeness gallery file (bad magic); check the path.' });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== GALLERY_FORMAT_VERSION) {
    throw new GalleryFormatError({
      source, formatVersion: version,
      message: version > GALLERY_FORMAT_VERSION
        ? `was written in gallery format version ${version}; this @likeness/embeddings reads version ${GALLERY_FORMAT_VERSION}. Upgrade @likeness/embeddings. The file was not changed.`
        : `uses the old gallery format version ${version}; re-enrol from the original images or convert it with the version that wrote it. The file was not changed.`,
    });
  }
  const headerLen = view.getUint32(8, true);
  if (12 + headerLen > bytes.length) throw new GalleryFormatError({ source, formatVersion: version, message: 'is truncated (header incomplete). Restore it from a backup.' });
  let header: { dimension: number; metric: DistanceMetric; count: number; ids: string[]; identities: string[]; crc32: number; metadata?: Record<string, JsonValue> };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLen)));
  } catch (e) {
    throw new GalleryFormatError({ source, formatVersion: version, message: 'has a corrupted header. Restore it from a backup.', cause: e });
  }
  const { dimension: D, metric, count } = header;
  if (!Number.isInteger(count) || count < 0 || !Array.isArray(header.ids) || header.ids.length !== count || !Array.isArray(header.identities) || header.identities.length !== count || !DISTANCE_METRICS.includes(metric) || !(Number.isInteger(D) && D >= 0)) {
    throw new GalleryFormatError({ source, formatVersion: version, message: 'has an inconsistent header. Restore it from a backup.' });
  }
  const dataBytes = bytes.subarray(12 + headerLen);
  if (dataBytes.length !== count * D * 4) {
    throw new GalleryFormatError({ source, formatVersion: version, message: `holds ${dataBytes.length} embedding bytes, the header says ${count * D * 4}: truncated or corrupted. Restore it from a backup.` });
  }
  if (crc32(dataBytes) !== header.crc32) {
    throw new GalleryFormatError({ source, formatVersion: version, message: 'fails its checksum (corrupted embeddings). Restore it from a backup.' });
  }
  const data = new Float32Array(dataBytes.slice().buffer);
  const gallery = new Gallery({ metric, ...(D > 0 ? { dimension: D } : {}) });
  const metadata = header.metadata != null && typeof header.metadata === 'object' && !Array.isArray(header.metadata) ? header.metadata : {};
  if (D > 0) {
    const store = new MemoryGalleryStore(D, metric, Math.max(1, count));
    if (count > 0) store.doLoad(header.ids, header.identities, data);
    store.loadMetadata(metadata);
    gallery.adoptStore(store);
  }
  return gallery;
}
