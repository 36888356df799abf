import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@likeness/backends';
import type { DistanceMetric } from '../distance/distance-metric';
import type { GalleryEntry, GalleryHit, GalleryStoreV2, JsonValue } from './gallery-store';

interface Block {
  matrix: tf.Tensor2D;
  sqNorms: tf.Tensor2D;
  start: number;
  count: number;
}

const CHUNK = 262_144; // entries per search block (128 MiB of float32 at D = 128)

/**
 * The built-in store: embeddings in one growable Float32Array, mirrored on
 * the tfjs backend in blocks for exact search (one matMul + top-k per
 * block, blocks merged). Memory: 4·D bytes per entry on the CPU side plus
 * the same on the backend (512 MiB each for 1M entries at D = 128).
 *
 * @example
 * ```ts
 * const store = new MemoryGalleryStore(128, 'l2');
 * const gallery = createGallery({ store }); // same as createGallery({ dimension: 128 })
 * ```
 */
export class MemoryGalleryStore implements GalleryStoreV2 {
  readonly specificationVersion = 'v2' as const;
  /** Search is exact (brute force). */
  readonly exact = true;
  private metadataMap = new Map<string, JsonValue>();
  private data: Float32Array;
  private ids: string[] = [];
  private identities: string[] = [];
  private index = new Map<string, number>();
  private blocks: Block[] | null = null;

  /** Entries per backend search block. */
  readonly blockSize: number;

  constructor(readonly dimension: number, readonly metric: DistanceMetric = 'l2', capacity = 1024, options: { blockSize?: number } = {}) {
    this.blockSize = options.blockSize ?? CHUNK;
    if (!Number.isInteger(dimension) || dimension < 1) {
      throw new InvalidArgumentError({ fn: 'MemoryGalleryStore', argument: 'dimension', message: `expected a positive integer such as 128, got ${String(dimension)}.` });
    }
    this.data = new Float32Array(Math.max(1, capacity) * dimension);
  }

  /** Number of entries (synchronous; the store interface's {@link MemoryGalleryStore.count} is async). */
  size(): number {
    return this.ids.length;
  }

  async count(): Promise<number> {
    return this.ids.length;
  }

  async doUpsert(entries: readonly GalleryEntry[]): Promise<void> {
    const replaced = entries.filter((e) => this.index.has(e.id)).map((e) => e.id);
    if (replaced.length) this.removeIds(replaced);
    this.doAdd(entries);
  }

  async doRemoveIdentity(identity: string): Promise<number> {
    return this.removeIds(await this.doEntryIds(identity));
  }

  async doReplaceIdentity(identity: string, entries: readonly GalleryEntry[]): Promise<number> {
    const old = await this.doEntryIds(identity);
    this.removeIds(old);
    this.doAdd(entries);
    return old.length;
  }

  async doIdentities(): Promise<string[]> {
    return [...new Set(this.identities)].sort();
  }

  async doEntryIds(identity: string): Promise<string[]> {
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

  async close(): Promise<void> {
    this.dispose();
  }

  doAdd(entries: readonly GalleryEntry[]): void {
    const D = this.dimension;
    const need = (this.ids.length + entries.length) * D;
    if (need > this.data.length) {
      const grown = new Float32Array(Math.max(need, this.data.length * 2));
      grown.set(this.data.subarray(0, this.ids.length * D));
      this.data = grown;
    }
    for (const e of entries) {
      if (this.index.has(e.id)) throw new InvalidArgumentError({ fn: 'MemoryGalleryStore.doAdd', argument: 'entries', message: `entry id "${e.id}" already exists.` });
      const row = this.ids.length;
      this.data.set(e.embedding, row * D);
      this.ids.push(e.id);
      this.identities.push(e.identity);
      this.index.set(e.id, row);
    }
    this.invalidate();
  }

  async doRemove(ids: readonly string[]): Promise<number> {
    return this.removeIds(ids);
  }

  private removeIds(ids: readonly string[]): number {
    const drop = new Set(ids.filter((id) => this.index.has(id)));
    if (drop.size === 0) return 0;
    const D = this.dimension;
    let w = 0;
    const keptIds: string[] = [];
    const keptIdentities: string[] = [];
    for (let r = 0; r < this.ids.length; r++) {
      if (drop.has(this.ids[r]!)) continue;
      if (w !== r) this.data.copyWithin(w * D, r * D, (r + 1) * D);
      keptIds.push(this.ids[r]!);
      keptIdentities.push(this.identities[r]!);
      w++;
    }
    this.ids = keptIds;
    this.identities = keptIdentities;
    this.index = new Map(keptIds.map((id, i) => [id, i]));
    this.invalidate();
    return drop.size;
  }

  /** Bulk-loads rows (used by `Gallery.deserialize`): `data` is count·D floats. */
  doLoad(ids: readonly string[], identities: readonly string[], data: Float32Array): void {
    this.invalidate();
    this.data = data.slice();
    this.ids = [...ids];
    this.identities = [...identities];
    this.index = new Map(this.ids.map((id, i) => [id, i]));
  }

  async doSearch(queries: Float32Array, k: number): Promise<GalleryHit[][]> {
    const D = this.dimension;
    const Q = queries.length / D;
    const M = this.ids.length;
    const kk = Math.min(k, M);
    if (kk === 0 || Q === 0) return Array.from({ length: Q }, () => []);
    const blocks = this.ensureBlocks();
    const q = tf.tensor2d(queries, [Q, D]);
    const perBlock: { values: Float32Array; indices: Int32Array; start: number; k: number }[] = [];
    try {
      for (const b of blocks) {
        const kb = Math.min(kk, b.count);
        const { values, indices } = tf.tidy(() => {
          let d: tf.Tensor2D;
          if (this.metric === 'cosine') {
            const qn = tf.div(q, tf.maximum(tf.norm(q, 'euclidean', 1, true), 1e-12));
            d = tf.sub(1, tf.matMul(qn, b.matrix, false, true)) as tf.Tensor2D; // rows of b.matrix are unit-normalised
          } else {
            const q2 = tf.sum(tf.square(q), 1, true);
            d = tf.relu(tf.add(tf.sub(q2, tf.mul(2, tf.matMul(q, b.matrix, false, true))), b.sqNorms)) as tf.Tensor2D;
          }
          const top = tf.topk(tf.neg(d), kb, true);
          return { values: tf.neg(top.values), indices: top.indices };
        });
        const [v, i] = await Promise.all([values.data(), indices.data()]);
        tf.dispose([values, indices]);
        perBlock.push({ values: v as Float32Array, indices: i as Int32Array, start: b.start, k: kb });
      }
    } finally {
      q.dispose();
    }
    const out: GalleryHit[][] = [];
    for (let r = 0; r < Q; r++) {
      const hits: GalleryHit[] = [];
      for (const pb of perBlock) {
        for (let j = 0; j < pb.k; j++) {
          const row = pb.start + pb.indices[r * pb.k + j]!;
          let dist = pb.values[r * pb.k + j]!;
          if (this.metric === 'l2') dist = Math.sqrt(Math.max(0, dist));
          hits.push({ id: this.ids[row]!, identity: this.identities[row]!, distance: dist });
        }
      }
      hits.sort((a, b) => a.distance - b.distance);
      out.push(hits.slice(0, kk));
    }
    return out;
  }

  async doEntries(): Promise<GalleryEntry[]> {
    const D = this.dimension;
    return this.ids.map((id, r) => ({ id, identity: this.identities[r]!, embedding: this.data.subarray(r * D, (r + 1) * D) }));
  }

  /** @internal Raw rows for serialisation. */
  rows(): { ids: readonly string[]; identities: readonly string[]; data: Float32Array } {
    return { ids: this.ids, identities: this.identities, data: this.data.subarray(0, this.ids.length * this.dimension) };
  }

  dispose(): void {
    this.invalidate();
  }

  private invalidate(): void {
    if (this.blocks) for (const b of this.blocks) tf.dispose([b.matrix, b.sqNorms]);
    this.blocks = null;
  }

  private ensureBlocks(): Block[] {
    if (this.blocks) return this.blocks;
    const D = this.dimension;
    const M = this.ids.length;
    const blocks: Block[] = [];
    for (let start = 0; start < M; start += this.blockSize) {
      const count = Math.min(this.blockSize, M - start);
      const made = tf.tidy(() => {
        let matrix: tf.Tensor2D = tf.tensor2d(this.data.subarray(start * D, (start + count) * D), [count, D]);
        if (this.metric === 'cosine') matrix = tf.div(matrix, tf.maximum(tf.norm(matrix, 'euclidean', 1, true), 1e-12)) as tf.Tensor2D;
        const sqNorms = tf.reshape(tf.sum(tf.square(matrix), 1), [1, count]) as tf.Tensor2D;
        return { matrix, sqNorms };
      });
      blocks.push({ ...made, start, count });
    }
    this.blocks = blocks;
    return blocks;
  }
}
