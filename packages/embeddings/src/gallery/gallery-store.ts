import type { DistanceMetric } from '../distance/distance-metric';

/** One stored embedding. */
export interface GalleryEntry {
  /** Unique entry id (one per enrolled image). */
  readonly id: string;
  /** Who it is. */
  readonly identity: string;
  /** The stored vector, `dimension` values (as enrolled; not normalised by the store). */
  readonly embedding: Float32Array;
}

/** A search hit: an entry and its distance to the query. */
export interface GalleryHit {
  /** The entry's id. */
  readonly id: string;
  /** Whose entry it is. */
  readonly identity: string;
  /** Distance from the query in the store's `metric` (lower = more alike). */
  readonly distance: number;
}

/** A JSON value, as kept in a store's metadata map. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * Where a {@link Gallery} keeps its embeddings: the built-in
 * `MemoryGalleryStore`, a database (`@likeness/gallery-pgvector`), or your
 * own. Every method is async and the gallery keeps no copy of what the store
 * holds, so several processes may share one database. `do*` methods are
 * called by the gallery only; they receive validated input (finite
 * embeddings of length `dimension`, non-empty identities).
 *
 * Version 2 of the specification (version 1 had a synchronous `size()` and
 * no identities, upserts or metadata; `createGallery` still accepts a v1 store
 * through {@link fromGalleryStoreV1}).
 *
 * Check a new store with `describeGalleryStoreConformance` from
 * `@likeness/embeddings/testing`.
 *
 * @example
 * ```ts
 * const store: GalleryStoreV2 = {
 *   specificationVersion: 'v2', dimension: 128, metric: 'l2', exact: true,
 *   count: () => db.count(),
 *   doUpsert: (entries) => db.upsert(entries),             // entries[i].embedding: Float32Array [128]
 *   doSearch: (queries, k) => db.knn(queries, k),          // queries: Float32Array [Q·128] → hits [Q][k]
 *   …
 * };
 * ```
 */
export interface GalleryStoreV2 {
  /** Which version of the store interface this implements (`createGallery` also takes `'v1'` stores). */
  readonly specificationVersion: 'v2';
  /** Length of every stored embedding, fixed when the store is created. */
  readonly dimension: number;
  /** The distance the store searches with (its index is built for it); the gallery refuses another. */
  readonly metric: DistanceMetric;
  /** Whether `doSearch` returns the exact k nearest (true) or an approximation such as HNSW (false). */
  readonly exact: boolean;
  /** Number of stored entries. */
  count(): Promise<number>;
  /** Inserts entries, replacing any with the same id, atomically (all or none). */
  doUpsert(entries: readonly GalleryEntry[]): Promise<void>;
  /** Removes entries by id; returns how many existed. */
  doRemove(ids: readonly string[]): Promise<number>;
  /** Removes every entry of `identity`; returns how many existed. */
  doRemoveIdentity(identity: string): Promise<number>;
  /** Atomically replaces every entry of `identity` with `entries` (all of `identity`); returns how many were removed. */
  doReplaceIdentity(identity: string, entries: readonly GalleryEntry[]): Promise<number>;
  /** Distinct identities, sorted. */
  doIdentities(): Promise<string[]>;
  /** Entry ids of one identity, sorted. */
  doEntryIds(identity: string): Promise<string[]>;
  /** The k nearest entries of each query, nearest first. `queries` is Q·D floats, row-major. */
  doSearch(queries: Float32Array, k: number): Promise<GalleryHit[][]>;
  /** Every entry (for export and listing). */
  doEntries(): Promise<readonly GalleryEntry[]>;
  /** A metadata value, or `undefined` when the key is not set. */
  doGetMetadata(key: string): Promise<JsonValue | undefined>;
  /** The whole metadata map. */
  doMetadata(): Promise<Record<string, JsonValue>>;
  /** Sets a metadata value (`undefined` deletes the key). */
  doSetMetadata(key: string, value: JsonValue | undefined): Promise<void>;
  /** Releases what the store holds (tensors, connections, locks). Idempotent. */
  close(): Promise<void>;
}

/**
 * Version 1 of the store specification (synchronous `size()`, no
 * identities, upserts or metadata). Still accepted by `createGallery`
 * through {@link fromGalleryStoreV1}; new stores implement
 * {@link GalleryStoreV2}.
 *
 * @deprecated implement {@link GalleryStoreV2}.
 */
export interface GalleryStoreV1 {
  /** Which version of the store interface this implements. */
  readonly specificationVersion: 'v1';
  /** Length of every stored embedding, fixed when the store is created. */
  readonly dimension: number;
  /** The distance the store searches with. */
  readonly metric: DistanceMetric;
  /** Number of entries. */
  size(): number;
  /** Appends entries (ids not yet in the store). */
  doAdd(entries: readonly GalleryEntry[]): Promise<void> | void;
  /** Removes entries by id; returns how many existed. */
  doRemove(ids: readonly string[]): Promise<number> | number;
  /** The k nearest entries of each query, nearest first. `queries` is Q·D floats, row-major. */
  doSearch(queries: Float32Array, k: number): Promise<GalleryHit[][]> | GalleryHit[][];
  /** Every entry (for saving and listing). */
  doEntries(): Promise<readonly GalleryEntry[]> | readonly GalleryEntry[];
  /** Frees what the store holds (tensors, connections). */
  dispose?(): void;
}

/** Any store `createGallery` accepts. */
export type GalleryStore = GalleryStoreV2 | GalleryStoreV1;
