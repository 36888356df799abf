import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, ShapeError } from '@likeness/backends';
import { DISTANCE_METRICS, type DistanceMetric } from '../distance/distance-metric';
import { GalleryEmptyError } from '../errors/gallery-empty-error';
import { fromGalleryStoreV1 } from './from-gallery-store-v1';
import type { GalleryEntry, GalleryHit, GalleryStore, GalleryStoreV2, JsonValue } from './gallery-store';
import { MemoryGalleryStore } from './memory-gallery-store';

/** Embeddings as accepted by the gallery: a tensor [D] or [N,D], or plain arrays. */
export type EmbeddingInput = tf.Tensor | Float32Array | readonly number[] | readonly (Float32Array | readonly number[])[];

/** Options of {@link createGallery}. */
export interface GalleryOptions {
  /** Embedding length D; taken from the first enrolment when omitted. */
  dimension?: number;
  /** Distance used by verify/identify. @defaultValue `'l2'` (face-api/dlib threshold 0.6) */
  metric?: DistanceMetric;
  /**
   * Storage and search; a database can take over here (`pgliteGalleryStore`
   * from `@likeness/gallery-pgvector`). A version-1 store is wrapped with
   * {@link fromGalleryStoreV1}. @defaultValue a `MemoryGalleryStore`
   */
  store?: GalleryStore;
}

/** One answer of {@link Gallery.identify}. */
export interface Identification {
  /** The nearest identity, or `null` ("unknown") when it is farther than the threshold. */
  readonly identity: string | null;
  /** Distance to the nearest enrolled embedding (Infinity when nothing is enrolled). */
  readonly distance: number;
  /** Up to k nearest distinct identities, nearest first, each with its closest entry. */
  readonly candidates: readonly GalleryHit[];
}

/**
 * A gallery's small persistent key → JSON map (kept by its store), e.g. the
 * calibrated threshold next to the embeddings it was calibrated on.
 */
export interface GalleryMetadata {
  /** The value of `key`, or `undefined` when it is not set. */
  get<T extends JsonValue = JsonValue>(key: string): Promise<T | undefined>;
  /** Sets `key` to a JSON value (objects, arrays, finite numbers, strings, booleans, null). */
  set(key: string, value: JsonValue): Promise<void>;
  /** Removes `key`. */
  delete(key: string): Promise<void>;
  /** Every key and value. */
  entries(): Promise<Record<string, JsonValue>>;
}

function newEntryId(identity: string): string {
  return `${identity}#${globalThis.crypto.randomUUID()}`;
}

/**
 * A one-shot face gallery: enrol one or more embeddings per identity,
 * verify pairs, identify queries with an "unknown" answer, remove/update,
 * save/load (see `serializeGallery`, and `saveGallery` in
 * `@likeness/embeddings/node`).
 */
export class Gallery {
  /** The distance every search and `verify` uses (the store's, or `options.metric`). */
  readonly metric: DistanceMetric;
  private store: GalleryStoreV2 | null;
  private dim: number | undefined;
  /** Metadata set before the (lazily created) memory store exists. */
  private pendingMetadata = new Map<string, JsonValue>();
  private disposed = false;

  /** @internal use {@link createGallery}. */
  constructor(options: GalleryOptions) {
    const metric = options.metric ?? options.store?.metric ?? 'l2';
    if (!DISTANCE_METRICS.includes(metric)) {
      throw new InvalidArgumentError({ fn: 'createGallery', argument: 'options.metric', message: `expected one of ${DISTANCE_METRICS.join(', ')}, got ${JSON.stringify(metric)}.` });
    }
    if (options.dimension !== undefined && !(Number.isInteger(options.dimension) && options.dimension > 0)) {
      throw new InvalidArgumentError({ fn: 'createGallery', argument: 'options.dimension', message: `expected a positive integer such as 128, got ${String(options.dimension)}.` });
    }
    let store: GalleryStoreV2 | null = null;
    if (options.store) {
      const version = (options.store as { specificationVersion?: unknown }).specificationVersion;
      if (version === 'v1') store = fromGalleryStoreV1(options.store as Parameters<typeof fromGalleryStoreV1>[0]);
      else if (version === 'v2') store = options.store as GalleryStoreV2;
      else {
        throw new InvalidArgumentError({ fn: 'createGallery', argument: 'options.store', message: `unsupported store specificationVersion ${JSON.stringify(version)}; this version supports 'v2' (and 'v1' through fromGalleryStoreV1).` });
      }
      if (options.dimension !== undefined && store.dimension !== options.dimension) {
        throw new ShapeError({ fn: 'createGallery', argument: 'options.store', expected: `a store of dimension ${options.dimension}`, actual: `dimension ${store.dimension}` });
      }
      if (store.metric !== metric) {
        throw new InvalidArgumentError({ fn: 'createGallery', argument: 'options.store', message: `the store searches with '${store.metric}' but the gallery uses '${metric}'.` });
      }
    }
    this.metric = metric;
    this.store = store;
    this.dim = store?.dimension ?? options.dimension;
  }

  /** Embedding length D (undefined until known). */
  get dimension(): number | undefined {
    return this.dim;
  }

  /** Number of enrolled embeddings (read from the store). */
  async count(): Promise<number> {
    this.assertAlive('Gallery.count');
    return this.store ? this.store.count() : 0;
  }

  /** Enrolled identities, sorted (read from the store). */
  async identities(): Promise<string[]> {
    this.assertAlive('Gallery.identities');
    return this.store ? this.store.doIdentities() : [];
  }

  /** Entry ids of one identity, sorted (read from the store). */
  async entriesOf(identity: string): Promise<string[]> {
    this.assertAlive('Gallery.entriesOf');
    checkIdentity(identity, 'Gallery.entriesOf');
    return this.store ? this.store.doEntryIds(identity) : [];
  }

  /**
   * The gallery's metadata map, persisted by its store (a database store
   * keeps it in its own table; the memory store in the gallery file).
   *
   * @example
   * ```ts
   * await gallery.metadata.set('calibration', { threshold: 0.52, far: 0.001 });
   * const cal = await gallery.metadata.get<{ threshold: number }>('calibration');
   * ```
   */
  readonly metadata: GalleryMetadata = {
    get: async <T extends JsonValue = JsonValue>(key: string): Promise<T | undefined> => {
      const fn = 'Gallery.metadata.get';
      this.assertAlive(fn);
      checkKey(key, fn);
      if (!this.store) return this.pendingMetadata.get(key) as T | undefined;
      return (await this.store.doGetMetadata(key)) as T | undefined;
    },
    set: async (key: string, value: JsonValue): Promise<void> => {
      const fn = 'Gallery.metadata.set';
      this.assertAlive(fn);
      checkKey(key, fn);
      const copy = checkJson(value, fn);
      if (!this.store) this.pendingMetadata.set(key, copy);
      else await this.store.doSetMetadata(key, copy);
    },
    entries: async (): Promise<Record<string, JsonValue>> => {
      this.assertAlive('Gallery.metadata.entries');
      return this.store ? this.store.doMetadata() : Object.fromEntries(this.pendingMetadata);
    },
    delete: async (key: string): Promise<void> => {
      const fn = 'Gallery.metadata.delete';
      this.assertAlive(fn);
      checkKey(key, fn);
      if (!this.store) this.pendingMetadata.delete(key);
      else await this.store.doSetMetadata(key, undefined);
    },
  };

  /**
   * Enrols one or more embeddings of `identity`; returns the new entry ids.
   * Rejects NaN/∞ and a dimension different from the gallery's. All rows are
   * written in one transaction (all or none).
   *
   * @example
   * ```ts
   * await gallery.enrol('alice', resnet.encode(faces)); // [N,128] → N entry ids
   * ```
   */
  async enrol(identity: string, embeddings: EmbeddingInput): Promise<string[]> {
    const fn = 'Gallery.enrol';
    this.assertAlive(fn);
    checkIdentity(identity, fn);
    const rows = await this.toRows(embeddings, fn, 'embeddings');
    const entries = rows.map((embedding) => ({ id: newEntryId(identity), identity, embedding }));
    await (await this.ensureStore()).doUpsert(entries);
    return entries.map((e) => e.id);
  }

  /**
   * Inserts or replaces entries by id (you choose the ids, e.g. an image's
   * path), in one transaction.
   *
   * @example
   * ```ts
   * await gallery.upsert([{ id: 'alice/1.jpg', identity: 'alice', embedding }]); // embedding [128]
   * ```
   */
  async upsert(entries: readonly { id: string; identity: string; embedding: EmbeddingInput }[]): Promise<void> {
    const fn = 'Gallery.upsert';
    this.assertAlive(fn);
    if (!Array.isArray(entries) || entries.length === 0) throw new InvalidArgumentError({ fn, argument: 'entries', message: 'expected a non-empty array of { id, identity, embedding }.' });
    const out: GalleryEntry[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (e == null || typeof e.id !== 'string' || e.id.length === 0) throw new InvalidArgumentError({ fn, argument: `entries[${i}].id`, message: 'expected a non-empty string.' });
      if (seen.has(e.id)) throw new InvalidArgumentError({ fn, argument: `entries[${i}].id`, message: `"${e.id}" appears twice; pass each id once.` });
      seen.add(e.id);
      checkIdentity(e.identity, fn, `entries[${i}].identity`);
      const [row] = await this.toRows(e.embedding, fn, `entries[${i}].embedding`, 1);
      out.push({ id: e.id, identity: e.identity, embedding: row! });
    }
    await (await this.ensureStore()).doUpsert(out);
  }

  /**
   * Replaces all embeddings of `identity` with new ones in one transaction
   * (a failure leaves the old enrolment).
   *
   * @example
   * ```ts
   * await gallery.update('alice', newDescriptors); // [N,128]
   * ```
   */
  async update(identity: string, embeddings: EmbeddingInput): Promise<string[]> {
    const fn = 'Gallery.update';
    this.assertAlive(fn);
    checkIdentity(identity, fn);
    const rows = await this.toRows(embeddings, fn, 'embeddings');
    const entries = rows.map((embedding) => ({ id: newEntryId(identity), identity, embedding }));
    await (await this.ensureStore()).doReplaceIdentity(identity, entries);
    return entries.map((e) => e.id);
  }

  /**
   * Removes an identity (all its entries) or single entries by id; returns
   * how many entries were removed.
   *
   * @example
   * ```ts
   * await gallery.remove('alice');            // → 3
   * await gallery.remove({ ids: [entryId] }); // → 1
   * ```
   */
  async remove(target: string | { ids: readonly string[] }): Promise<number> {
    const fn = 'Gallery.remove';
    this.assertAlive(fn);
    if (typeof target === 'string') {
      checkIdentity(target, fn, 'target');
      return this.store ? this.store.doRemoveIdentity(target) : 0;
    }
    if (target == null || !Array.isArray(target.ids) || target.ids.some((id) => typeof id !== 'string')) {
      throw new InvalidArgumentError({ fn, argument: 'target', message: 'expected an identity name or { ids: string[] }.' });
    }
    if (!this.store || target.ids.length === 0) return 0;
    return this.store.doRemove([...target.ids]);
  }

  /**
   * Are two embeddings the same person? `same` is distance ≤ threshold in
   * the gallery's metric (face-api/dlib: 0.6 on `'l2'`).
   *
   * @example
   * ```ts
   * const { same, distance } = await gallery.verify(a, b, 0.6); // a, b [128]
   * ```
   */
  async verify(a: EmbeddingInput, b: EmbeddingInput, threshold: number): Promise<{
    /** `distance <= threshold`. */
    same: boolean;
    /** Distance between the two in the gallery's metric. */
    distance: number;
  }> {
    const fn = 'Gallery.verify';
    checkThreshold(threshold, fn);
    const [ra] = await this.toRows(a, fn, 'a', 1);
    const [rb] = await this.toRows(b, fn, 'b', 1);
    const distance = rowDistance(ra!, rb!, this.metric);
    return { same: distance <= threshold, distance };
  }

  /**
   * Identifies each query: the nearest identity if within `threshold`,
   * otherwise `identity: null` ("unknown"), with up to k candidate
   * identities. Exact or approximate as the store searches.
   *
   * @example
   * ```ts
   * const [r] = await gallery.identify(probe, { threshold: 0.6, k: 3 }); // probe [128] or [Q,128]
   * r.identity; // 'alice' or null
   * ```
   */
  async identify(queries: EmbeddingInput, options: { threshold: number; k?: number }): Promise<Identification[]> {
    const fn = 'Gallery.identify';
    this.assertAlive(fn);
    if (options == null || typeof options !== 'object') {
      throw new InvalidArgumentError({ fn, argument: 'options', message: 'expected { threshold, k? }, e.g. { threshold: 0.6 } for face-api descriptors with L2.' });
    }
    checkThreshold(options.threshold, fn);
    const k = options.k ?? 1;
    if (!(Number.isInteger(k) && k >= 1)) throw new InvalidArgumentError({ fn, argument: 'options.k', message: `expected a positive integer, got ${String(k)}.` });
    const total = this.store ? await this.store.count() : 0;
    if (total === 0) throw new GalleryEmptyError(fn);
    const rows = await this.toRows(queries, fn, 'queries');
    const D = this.dim!;
    const flat = new Float32Array(rows.length * D);
    rows.forEach((r, i) => flat.set(r, i * D));
    // Widen the entry search until every query sees k distinct identities
    // (or the whole gallery): no per-identity state is kept here, so another
    // process may write to the same store meanwhile.
    let want = Math.min(total, k);
    let hits: GalleryHit[][];
    for (;;) {
      hits = await this.store!.doSearch(flat, want);
      const short = hits.some((list) => list.length === want && new Set(list.map((h) => h.identity)).size < k);
      if (!short || want >= total) break;
      want = Math.min(total, want * 4);
    }
    return hits.map((list) => {
      const seen = new Set<string>();
      const candidates: GalleryHit[] = [];
      for (const h of list) {
        if (seen.has(h.identity)) continue;
        seen.add(h.identity);
        candidates.push(h);
        if (candidates.length === k) break;
      }
      const best = candidates[0];
      return { identity: best && best.distance <= options.threshold ? best.identity : null, distance: best?.distance ?? Infinity, candidates };
    });
  }

  /** The store (for export and external back ends); `null` until the first enrolment of a storeless gallery. */
  get backingStore(): GalleryStoreV2 | null {
    return this.store;
  }

  /** @internal Used by `deserializeGallery`. */
  adoptStore(store: GalleryStoreV2): void {
    this.store = store;
    this.dim = store.dimension;
  }

  /** Closes the store (connections, locks, tensors). The gallery cannot be used afterwards. */
  async close(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.store?.close();
  }

  /** Frees the store's tensors (synchronous for the memory store; prefer {@link Gallery.close} for database stores). */
  dispose(): void {
    void this.close();
  }

  private assertAlive(fn: string): void {
    if (this.disposed) throw new InvalidArgumentError({ fn, argument: 'this', message: 'the gallery was closed; open or create a new one.' });
  }

  private async ensureStore(): Promise<GalleryStoreV2> {
    if (!this.store) {
      const store = new MemoryGalleryStore(this.dim!, this.metric);
      for (const [k, v] of this.pendingMetadata) await store.doSetMetadata(k, v);
      this.pendingMetadata.clear();
      this.store = store;
    }
    return this.store!;
  }

  private async toRows(x: EmbeddingInput, fn: string, argument: string, exactlyRows?: number): Promise<Float32Array[]> {
    let rows: Float32Array[];
    if (x instanceof tf.Tensor) {
      if (x.isDisposed) throw new InvalidArgumentError({ fn, argument, message: 'the tensor was disposed.' });
      if (x.rank !== 1 && x.rank !== 2) throw new ShapeError({ fn, argument, expected: 'an embedding [D] or a batch [N,D]', actual: x.shape });
      const data = (await x.data()) as Float32Array;
      const d = x.shape[x.rank - 1]!;
      rows = Array.from({ length: data.length / Math.max(1, d) }, (_, i) => Float32Array.from(data.subarray(i * d, (i + 1) * d)));
    } else if (x instanceof Float32Array || (Array.isArray(x) && (x.length === 0 || typeof x[0] === 'number'))) {
      rows = [Float32Array.from(x as ArrayLike<number>)];
    } else if (Array.isArray(x)) {
      rows = (x as readonly ArrayLike<number>[]).map((r) => Float32Array.from(r));
    } else {
      throw new InvalidArgumentError({ fn, argument, message: 'expected a tf.Tensor [D] or [N,D], a Float32Array, a number[] or an array of them.' });
    }
    if (rows.length === 0) throw new InvalidArgumentError({ fn, argument, message: 'is empty; pass at least one embedding.' });
    if (exactlyRows !== undefined && rows.length !== exactlyRows) {
      throw new InvalidArgumentError({ fn, argument, message: `expected one embedding, got ${rows.length}.` });
    }
    this.dim ??= rows[0]!.length;
    rows.forEach((r, i) => {
      if (r.length !== this.dim) {
        throw new ShapeError({ fn, argument, expected: `embeddings of length ${this.dim} (this gallery's dimension)`, actual: `length ${r.length}`, hint: 'Use the same encoder for enrolment and queries.' });
      }
      for (let k = 0; k < r.length; k++) {
        if (!Number.isFinite(r[k]!)) {
          throw new InvalidArgumentError({ fn, argument: `${argument}[${i}]`, message: `contains ${r[k]}; the face crop or the encoder produced an invalid embedding. Nothing was changed.` });
        }
      }
    });
    return rows;
  }
}

function checkIdentity(identity: unknown, fn: string, argument = 'identity'): asserts identity is string {
  if (typeof identity !== 'string' || identity.trim().length === 0) {
    throw new InvalidArgumentError({ fn, argument, message: `expected a non-empty string naming the person, got ${typeof identity === 'string' ? JSON.stringify(identity) : typeof identity}. Nothing was changed.` });
  }
}

function checkKey(key: unknown, fn: string): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidArgumentError({ fn, argument: 'key', message: 'expected a non-empty string such as "calibration".' });
}

/** A deep copy of a JSON value; rejects what JSON cannot hold faithfully (NaN, ∞, undefined, functions, cycles). */
function checkJson(value: unknown, fn: string): JsonValue {
  const walk = (v: unknown, path: string, depth: number): JsonValue => {
    if (depth > 64) throw new InvalidArgumentError({ fn, argument: path, message: 'is nested too deeply (or cyclic); store plain JSON.' });
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new InvalidArgumentError({ fn, argument: path, message: `is ${v}, which JSON cannot store; use a finite number or null.` });
      return v;
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}[${i}]`, depth + 1));
    if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      const out: Record<string, JsonValue> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, `${path}.${k}`, depth + 1);
      return out;
    }
    throw new InvalidArgumentError({ fn, argument: path, message: `is a ${typeof v}${typeof v === 'object' ? ` (${(v as object).constructor?.name})` : ''}; store plain JSON (objects, arrays, finite numbers, strings, booleans, null).` });
  };
  return walk(value, 'value', 0);
}

function checkThreshold(t: unknown, fn: string): asserts t is number {
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) {
    throw new InvalidArgumentError({ fn, argument: 'threshold', message: `expected a finite distance ≥ 0 (face-api descriptors with L2: 0.6), got ${String(t)}. Calibrate one with bestThreshold().` });
  }
}

function rowDistance(a: Float32Array, b: Float32Array, metric: DistanceMetric): number {
  if (metric === 'cosine') {
    let dot = 0, na = 0, nb = 0;
    for (let k = 0; k < a.length; k++) { dot += a[k]! * b[k]!; na += a[k]! * a[k]!; nb += b[k]! * b[k]!; }
    const den = Math.sqrt(na * nb);
    return den > 0 ? 1 - dot / den : 1;
  }
  let s = 0;
  for (let k = 0; k < a.length; k++) { const d = a[k]! - b[k]!; s += d * d; }
  return metric === 'l2' ? Math.sqrt(s) : s;
}

/**
 * Creates an empty gallery.
 *
 * @example
 * ```ts
 * const gallery = createGallery({ metric: 'l2' });
 * await gallery.enrol('alice', resnet.encode(aliceFaces)); // [N,128]
 * const [r] = await gallery.identify(resnet.encode(probe), { threshold: 0.6 }); // [1,128]
 * ```
 */
export function createGallery(options: GalleryOptions = {}): Gallery {
  return new Gallery(options);
}
