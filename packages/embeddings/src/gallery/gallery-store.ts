import type { DistanceMetric } from '../distance/distance-metric';

/** One stored embedding. */
export interface GalleryEntry {
  /** Unique entry id (one per enrolled image). */
  readonly id: string;
  /** Who it is. */
  readonly identity: string;
  readonly embedding: Float32Array;
}

/** A search hit: an entry and its distance to the query. */
export interface GalleryHit {
  readonly id: string;
  readonly identity: string;
  readonly distance: number;
}

/**
 * Where a {@link Gallery} keeps its embeddings. The built-in
 * `MemoryGalleryStore` searches exactly on the tfjs backend; implement this
 * interface to hand storage and search to an external vector database when
 * one machine is not enough (`do*` methods are called by the gallery only).
 *
 * @example
 * ```ts
 * const store: GalleryStoreV1 = {
 *   specificationVersion: 'v1', dimension: 128, metric: 'l2',
 *   size: () => db.count(),
 *   doAdd: (entries) => db.upsert(entries),          // entries[i].embedding: Float32Array [128]
 *   doRemove: (ids) => db.delete(ids),
 *   doSearch: (queries, k) => db.knn(queries, k),     // queries: Float32Array [Q·128] → hits [Q][k]
 *   doEntries: () => db.scan(),
 * };
 * ```
 */
export interface GalleryStoreV1 {
  readonly specificationVersion: 'v1';
  readonly dimension: number;
  readonly metric: DistanceMetric;
  size(): number;
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
