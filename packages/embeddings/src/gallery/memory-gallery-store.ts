import { InvalidArgumentError } from '@likeness/backends';
import type { DistanceMetric } from '../distance/distance-metric';
import { ExactIndex, type ExactIndexKernel, type ExactIndexOptions } from './exact-index';
import type { GalleryEntry, GalleryHit, GalleryStoreV2, JsonValue } from './gallery-store';

/**
 * The built-in store: exact k-NN in memory through an {@link ExactIndex}
 * (one float32 copy of the embeddings plus an int8 copy scanned by a
 * WebAssembly SIMD kernel, re-ranked in float64, so answers equal brute
 * force). Memory: 4·D + ⌈D/16⌉·16 + 32 bytes per entry (672 at D = 128,
 * 641 MiB for 1M) plus ids; nothing on the tfjs backend. Searches split the
 * rows over `options.threads` worker threads (default min(2, available
 * cores) in Node; one thread in browsers), which scan the one shared copy;
 * {@link MemoryGalleryStore.close} stops them. Operations run one at a time
 * in call order, so a search never sees half an upsert.
 *
 * @example
 * ```ts
 * const store = new MemoryGalleryStore(128, 'l2');
 * const gallery = createGallery({ store }); // same as createGallery({ dimension: 128 })
 * const oneThread = new MemoryGalleryStore(128, 'l2', 1024, { threads: 1 });
 * ```
 */
export class MemoryGalleryStore implements GalleryStoreV2 {
  /** Implements the v2 store interface. */
  readonly specificationVersion = 'v2' as const;
  /** Search is exact (brute force). */
  readonly exact = true;
  private metadataMap = new Map<string, JsonValue>();
  private exactIndex: ExactIndex;
  private ids: string[] = [];
  private identities: string[] = [];
  private index = new Map<string, number>();
  /** The last queued operation (searches and writes run one at a time, in call order). */
  private tail: Promise<unknown> = Promise.resolve();

  /** Entries per coarse-pass block of the search kernel. */
  readonly blockSize: number;

  /**
   * @param dimension length of every embedding (e.g. 128).
   * @param metric the distance searches use. @defaultValue 'l2'
   * @param capacity rows to allocate up front (it grows as needed). @defaultValue 1024
   * @param options the search kernel's block size, kernel and worker threads (see {@link ExactIndexOptions}).
   */
  constructor(readonly dimension: number, readonly metric: DistanceMetric = 'l2', capacity = 1024, options: Pick<ExactIndexOptions, 'blockSize' | 'kernel' | 'threads' | 'minRowsPerThread'> = {}) {
    this.blockSize = options.blockSize ?? 8192;
    if (!Number.isInteger(dimension) || dimension < 1) {
      throw new InvalidArgumentError({ fn: 'MemoryGalleryStore', argument: 'dimension', message: `expected a positive integer such as 128, got ${String(dimension)}.` });
    }
    this.exactIndex = new ExactIndex(dimension, metric, { capacity: Math.max(1, capacity), blockSize: this.blockSize, kernel: options.kernel, threads: options.threads, minRowsPerThread: options.minRowsPerThread });
  }

  /** Threads a search uses (1: the calling thread). */
  get threads(): number {
    return this.exactIndex.threads;
  }

  /** The search kernel in use (`'wasm-simd'` where WebAssembly SIMD exists, else `'js'`). */
  get kernel(): ExactIndexKernel {
    return this.exactIndex.kernel;
  }

  /** Bytes held per entry by the embeddings and the search index (ids and identity names not counted). */
  get bytesPerEntry(): number {
    return this.exactIndex.bytesPerEntry;
  }

  /** Number of entries (synchronous; the store interface's {@link MemoryGalleryStore.count} is async). */
  size(): number {
    return this.ids.length;
  }

  async count(): Promise<number> {
    return this.ids.length;
  }

  async doUpsert(entries: readonly GalleryEntry[]): Promise<void> {
    return this.serial(() => {
      const replaced = entries.filter((e) => this.index.has(e.id)).map((e) => e.id);
      if (replaced.length) this.removeIds(replaced);
      this.doAdd(entries);
    });
  }

  async doRemoveIdentity(identity: string): Promise<number> {
    return this.serial(() => this.removeIds(this.entryIdsOf(identity)));
  }

  async doReplaceIdentity(identity: string, entries: readonly GalleryEntry[]): Promise<number> {
    return this.serial(() => {
      const old = this.entryIdsOf(identity);
      this.removeIds(old);
      this.doAdd(entries);
      return old.length;
    });
  }

  async doIdentities(): Promise<string[]> {
    return [...new Set(this.identities)].sort();
  }

  async doEntryIds(identity: string): Promise<string[]> {
    return this.entryIdsOf(identity);
  }

  private entryIdsOf(identity: string): string[] {
    return this.ids.filter((_, r) => this.identities[r] === identity).sort();
  }

  async doGetMetadata(key: string): Promise<JsonValue | undefined> {
    return this.metadataMap.get(key);
  }

  async doSetMetadata(key: string, value: JsonValue | undefined): Promise<void> {
    if (value === undefined) this.metadataMap.delete(key);
    else this.metadataMap.set(key, value);
  }

  async doMetadata(): Promise<Record<string, JsonValue>> {
    return this.metadataEntries();
  }

  /** @internal The whole metadata map (for serialisation). */
  metadataEntries(): Record<string, JsonValue> {
    return Object.fromEntries(this.metadataMap);
  }

  /** @internal Replaces the metadata map (used by `deserializeGallery`). */
  loadMetadata(map: Record<string, JsonValue>): void {
    this.metadataMap = new Map(Object.entries(map));
  }

  /** Stops the search threads and frees the index; the store cannot be used afterwards. Idempotent. */
  async close(): Promise<void> {
    await this.exactIndex.close();
  }

  /** Appends entries whose ids are all new (a duplicate id throws before anything is added). */
  doAdd(entries: readonly GalleryEntry[]): void {
    const fresh = new Set<string>();
    for (const e of entries) {
      if (this.index.has(e.id) || fresh.has(e.id)) throw new InvalidArgumentError({ fn: 'MemoryGalleryStore.doAdd', argument: 'entries', message: `entry id "${e.id}" already exists; nothing was added.` });
      fresh.add(e.id);
    }
    this.exactIndex.add(entries.map((e) => e.embedding)); // checks every row before changing anything
    for (const e of entries) {
      this.index.set(e.id, this.ids.length);
      this.ids.push(e.id);
      this.identities.push(e.identity);
    }
  }

  async doRemove(ids: readonly string[]): Promise<number> {
    return this.serial(() => this.removeIds(ids));
  }

  /** Runs `fn` after every operation queued before it (a failed one does not stop the queue). */
  private serial<T>(fn: () => T | Promise<T>): Promise<T> {
    const run = this.tail.then(fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private removeIds(ids: readonly string[]): number {
    const rows = [...new Set(ids)].filter((id) => this.index.has(id)).map((id) => this.index.get(id)!);
    if (rows.length === 0) return 0;
    for (const r of rows) this.index.delete(this.ids[r]!);
    // the index fills each hole with its last row; replay the moves on the ids
    for (const [from, to] of this.exactIndex.remove(rows)) {
      this.ids[to] = this.ids[from]!;
      this.identities[to] = this.identities[from]!;
      this.index.set(this.ids[to]!, to);
    }
    this.ids.length = this.exactIndex.size;
    this.identities.length = this.exactIndex.size;
    return rows.length;
  }

  /** Bulk-loads rows (used by `Gallery.deserialize`): `data` is count·D floats. */
  doLoad(ids: readonly string[], identities: readonly string[], data: Float32Array): void {
    this.exactIndex.clear();
    this.exactIndex.add(data);
    this.ids = [...ids];
    this.identities = [...identities];
    this.index = new Map(this.ids.map((id, i) => [id, i]));
  }

  async doSearch(queries: Float32Array, k: number): Promise<GalleryHit[][]> {
    return this.serial(async () => {
      if (this.ids.length === 0 || queries.length === 0) return Array.from({ length: queries.length / this.dimension }, () => []);
      const found = await this.exactIndex.searchAsync(queries, k);
      return found.map(({ rows, distances }) =>
        Array.from(rows, (row, j) => ({ id: this.ids[row]!, identity: this.identities[row]!, distance: distances[j]! })));
    });
  }

  async doEntries(): Promise<GalleryEntry[]> {
    return this.ids.map((id, r) => ({ id, identity: this.identities[r]!, embedding: this.exactIndex.row(r) }));
  }

  /** @internal Raw rows for serialisation. */
  rows(): { ids: readonly string[]; identities: readonly string[]; data: Float32Array } {
    return { ids: this.ids, identities: this.identities, data: this.exactIndex.vectors() };
  }

  /** Frees the index and stops its threads (without waiting; prefer {@link MemoryGalleryStore.close}); the store cannot be used afterwards. */
  dispose(): void {
    this.exactIndex.dispose();
  }
}
