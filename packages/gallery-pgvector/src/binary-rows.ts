import type { GalleryEntry } from '@likeness/embeddings';

// Bulk rows in Postgres's binary formats, so that neither side formats or
// parses 128 decimal floats per embedding (text was ~90 % of an enrolment's
// time: see the package README). pgvector's binary `vector` is int16 dim,
// int16 unused, then dim big-endian float4 (its vector_send/vector_recv).

const COPY_SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]; // "PGCOPY\n\377\r\n\0"
const utf8 = new TextEncoder();

function writeVector(view: DataView, offset: number, v: Float32Array): number {
  view.setInt16(offset, v.length);
  view.setInt16(offset + 2, 0);
  let o = offset + 4;
  for (let i = 0; i < v.length; i++, o += 4) view.setFloat32(o, v[i]!);
  return o;
}

/**
 * @internal The file of `COPY … (id, identity, embedding) FROM … WITH (FORMAT binary)`:
 * header, one tuple per entry (text, text, vector), trailer.
 */
export function encodeCopyBinary(entries: readonly GalleryEntry[], dimension: number): Uint8Array<ArrayBuffer> {
  const ids = entries.map((e) => utf8.encode(e.id));
  const who = entries.map((e) => utf8.encode(e.identity));
  let bytes = 11 + 4 + 4 + 2;
  for (let i = 0; i < entries.length; i++) bytes += 2 + 4 + ids[i]!.length + 4 + who[i]!.length + 4 + 4 + 4 * dimension;
  const out = new Uint8Array(bytes);
  const view = new DataView(out.buffer);
  out.set(COPY_SIGNATURE, 0);
  let o = 11 + 4 + 4; // flags and header-extension length: 0
  for (let i = 0; i < entries.length; i++) {
    view.setInt16(o, 3);
    o += 2;
    for (const text of [ids[i]!, who[i]!]) {
      view.setInt32(o, text.length);
      out.set(text, o + 4);
      o += 4 + text.length;
    }
    view.setInt32(o, 4 + 4 * dimension);
    o = writeVector(view, o + 4, entries[i]!.embedding);
  }
  view.setInt16(o, -1);
  return out;
}

/** @internal A one-dimensional `vector[]` in the binary array format (`array_recv`); `vectorOid` is the type's oid in that database. */
export function encodeVectorArray(entries: readonly GalleryEntry[], dimension: number, vectorOid: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(20 + entries.length * (4 + 4 + 4 * dimension));
  const view = new DataView(out.buffer);
  view.setInt32(0, 1); // dimensions
  view.setInt32(4, 0); // no nulls
  view.setUint32(8, vectorOid);
  view.setInt32(12, entries.length);
  view.setInt32(16, 1); // lower bound
  let o = 20;
  for (const e of entries) {
    view.setInt32(o, 4 + 4 * dimension);
    o = writeVector(view, o + 4, e.embedding);
  }
  return out;
}
