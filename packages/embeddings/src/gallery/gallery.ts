import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, ShapeError } from '@likeness/backends';
import { DISTANCE_METRICS, type DistanceMetric } from '../distance/distance-metric';
import { GalleryEmptyError } from '../errors/gallery-empty-error';
import type { GalleryHit, GalleryStoreV1 } from './gallery-store';
import { MemoryGalleryStore } from './memory-gallery-store';

/** Embeddings as accepted by the gallery: a tensor [D] or [N,D], or plain arrays. */
export type EmbeddingInput = tf.Tensor | Float32Array | readonly number[] | readonly (Float32Array | readonly number[])[];

/** Options of {@link createGallery}. */
export interface GalleryOptions {
  /** Embedding length D; taken from the first enrolment when omitted. */
  dimension?: number;
  /** Distance used by verify/identify. @defaultValue `'l2'` (face-api/dlib threshold 0.6) */
  metric?: DistanceMetric;
  /** Storage and search; an external vector database can take over here. @defaultValue a `MemoryGalleryStore` */
  store?: GalleryStoreV1;
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

let counter = 0;

/**
 * A one-shot face gallery: enrol one or more embeddings per identity,
 * verify pairs, identify queries with an "unknown" answer, remove/update,
 * save/load (see `serializeGallery`, and `saveGallery` in
 * `@likeness/embeddings/node`).
 */
export class Gallery {
  readonly metric: DistanceMetric;
  private store: GalleryStoreV1 | null;
  private dim: number | undefined;
  private perIdentity = new Map<string, Set<string>>();

  /** @internal use {@link createGallery}. */
  constructor(options: GalleryOptions) {
    const metric = options.metric ?? options.store?.metric ?? 'l2';
    if (!DISTANCE_METRICS.includes(metric)) {
      throw new InvalidArgumentError({ fn: 'createGallery', argument: 'options.metric', message: `expected one of ${DISTANCE_METRICS.join(', ')}, got ${JSON.stringify(metric)}.` });
    }
    if (options.dimension !== undefined && !(Number.isInteger(options.dimension) && options.dimension > 0)) {
      throw new InvalidArgumentError({ fn: 'createGallery', argument: 'options.dimension', message: `expected a positive integer such as 128, got ${String(options.dimension)}.` });
    }
    if (options.store) {
      if (options.store.specificationVersion !== 'v1') {
        throw new InvalidArgumentError({ fn: 'createGallery', argument: 'options.store', message: `unsupported store specificationVersion ${JSON.stringify(options.store.specificationVersion)}; this version supports 'v1'.` });
      }
      if (options.dimension !== undefined && options.store.dimension !== options.dimension) {
        throw new ShapeError({ fn: 'createGallery', argument: 'options.store', expected: `a store of dimension ${options.dimension}`, actual: `dimension ${options.store.dimension}` });
      }
      if (options.store.metric !== metric) {
        throw new InvalidArgumentError({ fn: 'createGallery', argument: 'options.store', message: `the store searches with '${options.store.metric}' but the gallery uses '${metric}'.` });
      }
    }
    this.metric = metric;
    this.store = options.store ?? null;
    this.dim = options.store?.dimension ?? options.dimension;
  }

  /** Embedding length D (undefined until known). */
  get dimension(): number | undefined {
    return this.dim;
  }

  /** Number of enrolled embeddings. */
  get size(): number {
    return this.store?.size() ?? 0;
  }

  /** Enrolled identities. */
  identities(): string[] {
    return [...this.perIdentity.keys()];
  }

  /** Entry ids of one identity. */
  entriesOf(identity: string): string[] {
    return [...(this.perIdentity.get(identity) ?? [])];
  }

  /**
   * Enrols one or more embeddings of `identity`; returns the new entry ids.
   * Rejects NaN/∞ and a dimension different from the gallery's.
   *
   * @example
   * ```ts
   * await gallery.enrol('alice', resnet.encode(faces)); // [N,128] → N entry ids
   * ```
   */
  async enrol(identity: string, embeddings: EmbeddingInput): Promise<string[]> {
    const fn = 'Gallery.enrol';
    this.assertAlive(fn);
    if (typeof identity !== 'string' || identity.length === 0) {
      throw new InvalidArgumentError({ fn, argument: 'identity', message: 'expected a non-empty string naming the person.' });
    }
    const rows = await this.toRows(embeddings, fn, 'embeddings');
    const store = this.ensureStore();
    const entries = rows.map((embedding) => ({ id: `${identity}#${Date.now().toString(36)}-${(counter++).toString(36)}`, identity, embedding }));
    await store.doAdd(entries);
    const set = this.perIdentity.get(identity) ?? new Set<string>();
    for (const e of entries) set.add(e.id);
    this.perIdentity.set(identity, set);
    return entries.map((e) => e.id);
  }

  /**
   * Replaces all embeddings of `identity` with new ones (enrols first, then
   * removes the old ones, so a failure leaves the old enrolment).
   *
   * @example
   * ```ts
   * await gallery.update('alice', newDescriptors); // [N,128]
   * ```
   */
  async update(identity: string, embeddings: EmbeddingInput): Promise<string[]> {
    const old = this.entriesOf(identity);
    const ids = await this.enrol(identity, embeddings);
    if (old.length) {
      await this.store!.doRemove(old);
      const set = this.perIdentity.get(identity)!;
      for (const id of old) set.delete(id);
    }
    return ids;
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
    this.assertAlive('Gallery.remove');
    if (!this.store) return 0;
    const ids = typeof target === 'string' ? this.entriesOf(target) : [...target.ids];
    if (ids.length === 0) return 0;
    const n = await this.store.doRemove(ids);
    for (const [who, set] of this.perIdentity) {
      for (const id of ids) set.delete(id);
      if (set.size === 0) this.perIdentity.delete(who);
    }
    return n;
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
  async verify(a: EmbeddingInput, b: EmbeddingInput, threshold: number): Promise<{ same: boolean; distance: number }> {
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
   * identities. Exact search on the backend.
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
    if (this.size === 0) throw new GalleryEmptyError(fn);
    const rows = await this.toRows(queries, fn, 'queries');
    const D = this.dim!;
    const flat = new Float32Array(rows.length * D);
    rows.forEach((r, i) => flat.set(r, i * D));
    let maxPer = 1;
    for (const s of this.perIdentity.values()) maxPer = Math.max(maxPer, s.size);
    // the k nearest identities are always among the k·maxPer nearest entries
    const hits = await this.store!.doSearch(flat, Math.min(this.size, k * maxPer));
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

  /** The store (for serialisation and external back ends). */
  get backingStore(): GalleryStoreV1 | null {
    return this.store;
  }

  /** @internal Rebuilds the identity index after a bulk load. */
  reindex(entries: readonly { id: string; identity: string }[]): void {
    this.perIdentity.clear();
    for (const e of entries) {
      const s = this.perIdentity.get(e.identity) ?? new Set<string>();
      s.add(e.id);
      this.perIdentity.set(e.identity, s);
    }
  }

  /** @internal */
  adoptStore(store: GalleryStoreV1): void {
    this.store = store;
    this.dim = store.dimension;
  }

  /** Frees the store's tensors. */
  dispose(): void {
    this.store?.dispose?.();
    this.disposed = true;
  }

  private disposed = false;

  private assertAlive(fn: string): void {
    if (this.disposed) throw new InvalidArgumentError({ fn, argument: 'this', message: 'the gallery was disposed; load or create a new one.' });
  }

  private ensureStore(): GalleryStoreV1 {
    if (!this.store) this.store = new MemoryGalleryStore(this.dim!, this.metric);
    return this.store;
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
