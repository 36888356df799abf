import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@likeness/backends';
import type { DistanceMetric } from '../distance/distance-metric';
import { GalleryStoreError } from '../errors/gallery-store-error';
import { createGallery } from '../gallery/gallery';
import type { GalleryStoreV2 } from '../gallery/gallery-store';
import { mulberry32 as rng } from '../internal/seeded-random';

/** What {@link describeGalleryStoreConformance} needs to know about a store. */
export interface GalleryStoreConformanceOptions {
  /** Shown in the suite's name. */
  name: string;
  /** Opens a new, empty store. `key` names it: `reopen` with the same key must reach the same data. */
  open(key: string, options: { dimension: number; metric: DistanceMetric }): Promise<GalleryStoreV2>;
  /** Whether the store persists (then reopening with another dimension or metric must fail, and data must survive a reopen). @defaultValue `false` */
  persistent?: boolean;
  /** Entries of the recall check (recall@10 against float64 brute force; 1 expected from exact stores). @defaultValue `2000` */
  recallEntries?: number;
  /** Smallest recall@10 accepted from an approximate store. @defaultValue `0.99` */
  minRecall?: number;
  /** Metrics to test. @defaultValue all three */
  metrics?: readonly DistanceMetric[];
}

/** Seeded Gaussian-ish rows [n][d] (sum of uniforms), reproducible across runs. */
function rows(n: number, d: number, seed: number): Float32Array[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: d }, () => r() + r() + r() - 1.5));
}

/** Distance in float64, the reference every store is checked against. */
function distance64(a: Float32Array, b: Float32Array, metric: DistanceMetric): number {
  if (metric === 'cosine') {
    let dot = 0, na = 0, nb = 0;
    for (let i = 0; i < a.length; i++) { dot += a[i]! * b[i]!; na += a[i]! * a[i]!; nb += b[i]! * b[i]!; }
    return 1 - dot / Math.sqrt(na * nb);
  }
  let s = 0;
  for (let i = 0; i < a.length; i++) { const d = a[i]! - b[i]!; s += d * d; }
  return metric === 'l2' ? Math.sqrt(s) : s;
}

let opened = 0;
const key = (what: string) => `conf_${what}_${process.pid}_${Date.now().toString(36)}_${opened++}`;

/**
 * One vitest suite for any {@link GalleryStoreV2}: enrol, verify, identify
 * (with "unknown"), remove, update and upsert through a `Gallery`; k-NN equal
 * to float64 brute force for exact stores (ids and distances) and
 * recall@10 ≥ `minRecall` for approximate ones; identities, entry ids,
 * counts, metadata; bad input (empty or non-string identity, NaN) refused
 * with typed errors and nothing stored lost; for persistent stores, data
 * and metadata surviving a reopen and a reopen with another dimension or
 * metric refused with `GalleryStoreError` (`reason: 'mismatch'`).
 *
 * @example
 * ```ts
 * // my-store.test.ts
 * import { describeGalleryStoreConformance } from '@likeness/embeddings/testing';
 * describeGalleryStoreConformance({ name: 'my store', persistent: true, open: (key, o) => openMyStore({ table: key, ...o }) });
 * ```
 */
export function describeGalleryStoreConformance(options: GalleryStoreConformanceOptions): void {
  const metrics = options.metrics ?? (['l2', 'squared-l2', 'cosine'] as const);
  describe(`gallery store conformance: ${options.name}`, () => {
    it('enrol, identify (known and unknown), verify, remove, update, upsert and listings', async () => {
      const store = await options.open(key('basic'), { dimension: 2, metric: 'l2' });
      const g = createGallery({ store });
      try {
        const a = await g.enrol('alice', [[0, 0], [1, 0]]);
        const [b] = await g.enrol('bob', [10, 0]);
        expect(await g.count()).toBe(3);
        expect(await g.identities()).toEqual(['alice', 'bob']);
        expect(await g.entriesOf('alice')).toEqual([...a].sort());
        // 3-4-5 by hand: (3,4) is 5 from alice's (0,0), √20 ≈ 4.472 from (1,0)
        let [r] = await g.identify([3, 4], { threshold: 4.4, k: 2 });
        expect(r!.identity).toBeNull();
        expect(r!.distance).toBeCloseTo(Math.sqrt(20), 4);
        expect(r!.candidates.map((c) => c.identity)).toEqual(['alice', 'bob']);
        expect(r!.candidates[1]!.distance).toBeCloseTo(Math.sqrt(65), 4);
        [r] = await g.identify([3, 4], { threshold: 4.5 });
        expect(r!.identity).toBe('alice');
        expect(await g.verify([0, 0], [3, 4], 5)).toEqual({ same: true, distance: 5 });
        expect(await g.remove({ ids: [a[1]!, 'no-such-id'] })).toBe(1);
        [r] = await g.identify([3, 4], { threshold: 100 });
        expect(r!.distance).toBeCloseTo(5, 4);
        const upd = await g.update('alice', [[9, 9], [8, 8]]);
        expect(upd).toHaveLength(2);
        expect(await g.entriesOf('alice')).toEqual([...upd].sort());
        expect(await g.count()).toBe(3);
        [r] = await g.identify([9, 9], { threshold: 0.01 });
        expect(r!.identity).toBe('alice');
        await g.upsert([{ id: b!, identity: 'bob', embedding: [20, 0] }, { id: 'carol/1', identity: 'carol', embedding: [0, -3] }]);
        expect(await g.count()).toBe(4);
        [r] = await g.identify([10, 0], { threshold: 100 });
        expect(r!.identity).toBe('alice'); // bob moved to (20,0): alice's (8,8) is √68 away, bob 10
        expect(r!.distance).toBeCloseTo(Math.sqrt(68), 4);
        const all = await store.doEntries();
        expect(all.find((e) => e.id === b)!.embedding).toEqual(new Float32Array([20, 0]));
        expect(await g.remove('alice')).toBe(2);
        expect(await g.remove('alice')).toBe(0);
        expect(await g.identities()).toEqual(['bob', 'carol']);
      } finally {
        await g.close();
      }
    });

    for (const metric of metrics) {
      it(`k-NN (${metric}) ${'against float64 brute force'}: exact stores equal, approximate ones recall@10 ≥ ${options.minRecall ?? 0.99}`, async () => {
        const D = 16;
        const n = options.recallEntries ?? 2000;
        const store = await options.open(key(`knn_${metric.replace('-', '_')}`), { dimension: D, metric });
        const g = createGallery({ store });
        try {
          const data = rows(n, D, 7);
          await g.upsert(data.map((embedding, i) => ({ id: `e${String(i).padStart(6, '0')}`, identity: `p${i % (n / 2)}`, embedding })));
          expect(await store.count()).toBe(n);
          const queries = rows(20, D, 99);
          const flat = new Float32Array(queries.length * D);
          queries.forEach((q, i) => flat.set(q, i * D));
          const hits = await store.doSearch(flat, 10);
          let found = 0;
          queries.forEach((q, qi) => {
            const ref = data.map((e, i) => ({ id: `e${String(i).padStart(6, '0')}`, d: distance64(q, e, metric) })).sort((x, y) => x.d - y.d).slice(0, 10);
            const got = hits[qi]!;
            expect(got).toHaveLength(10);
            for (let j = 1; j < got.length; j++) expect(got[j]!.distance).toBeGreaterThanOrEqual(got[j - 1]!.distance - 1e-6);
            const want = new Set(ref.map((x) => x.id));
            found += got.filter((h) => want.has(h.id)).length;
            if (store.exact) {
              got.forEach((h, j) => {
                expect(h.distance).toBeCloseTo(ref[j]!.d, metric === 'squared-l2' ? 3 : 4);
                // ties aside, the same entries in the same order
                if (j + 1 < ref.length && ref[j + 1]!.d - ref[j]!.d > 1e-4 && (j === 0 || ref[j]!.d - ref[j - 1]!.d > 1e-4)) expect(h.id).toBe(ref[j]!.id);
              });
            }
          });
          const recall = found / (queries.length * 10);
          if (store.exact) expect(recall).toBe(1);
          else expect(recall).toBeGreaterThanOrEqual(options.minRecall ?? 0.99);
        } finally {
          await g.close();
        }
      });
    }

    it('metadata: set, get, overwrite, list, delete', async () => {
      const store = await options.open(key('meta'), { dimension: 3, metric: 'l2' });
      const g = createGallery({ store });
      try {
        expect(await g.metadata.get('calibration')).toBeUndefined();
        await g.metadata.set('calibration', { threshold: 0.52, far: 0.001, sizes: [1, 2], ok: true, note: null });
        await g.metadata.set('encoder', 'dlib-resnet');
        await g.metadata.set('encoder', 'face-api');
        expect(await g.metadata.get('calibration')).toEqual({ threshold: 0.52, far: 0.001, sizes: [1, 2], ok: true, note: null });
        expect(await g.metadata.entries()).toEqual({ calibration: { threshold: 0.52, far: 0.001, sizes: [1, 2], ok: true, note: null }, encoder: 'face-api' });
        await g.metadata.delete('encoder');
        expect(await g.metadata.get('encoder')).toBeUndefined();
        await expect(g.metadata.set('bad', { x: NaN })).rejects.toSatisfy((e: unknown) => InvalidArgumentError.isInstance(e) && /value\.x/.test((e as Error).message));
        expect(await g.metadata.get('bad')).toBeUndefined();
      } finally {
        await g.close();
      }
    });

    it('bad input: empty or non-string identity, NaN, wrong length — typed errors, nothing stored lost', async () => {
      const store = await options.open(key('bad'), { dimension: 3, metric: 'l2' });
      const g = createGallery({ store });
      try {
        await g.enrol('keep', [[1, 2, 3], [4, 5, 6]]);
        await expect(g.enrol('', [1, 2, 3])).rejects.toSatisfy((e: unknown) => InvalidArgumentError.isInstance(e) && (e as InvalidArgumentError).argument === 'identity');
        await expect(g.enrol(42 as unknown as string, [1, 2, 3])).rejects.toSatisfy((e: unknown) => InvalidArgumentError.isInstance(e) && (e as InvalidArgumentError).argument === 'identity');
        await expect(g.enrol('x', [[1, 2, 3], [NaN, 0, 0]])).rejects.toSatisfy((e: unknown) => InvalidArgumentError.isInstance(e) && /NaN/.test((e as Error).message));
        await expect(g.update('keep', [[Infinity, 0, 0]])).rejects.toSatisfy((e: unknown) => InvalidArgumentError.isInstance(e));
        await expect(g.enrol('x', [1, 2])).rejects.toThrow(/length 3/);
        await expect(g.upsert([{ id: '', identity: 'x', embedding: [1, 2, 3] }])).rejects.toSatisfy((e: unknown) => InvalidArgumentError.isInstance(e));
        expect(await g.count()).toBe(2);
        expect(await g.identities()).toEqual(['keep']);
        const [r] = await g.identify([4, 5, 6], { threshold: 0.001 });
        expect(r!.identity).toBe('keep');
      } finally {
        await g.close();
      }
    });

    if (options.persistent) {
      it('reopens with its data and metadata; another dimension or metric is refused and nothing is lost', async () => {
        const k = key('reopen');
        const store = await options.open(k, { dimension: 4, metric: 'cosine' });
        const g = createGallery({ store });
        const ids = await g.enrol('alice', [[1, 0, 0, 0], [0, 1, 0, 0]]);
        await g.metadata.set('calibration', { threshold: 0.3 });
        await g.close();
        await expect(options.open(k, { dimension: 8, metric: 'cosine' })).rejects.toSatisfy((e: unknown) => GalleryStoreError.isInstance(e) && (e as GalleryStoreError).reason === 'mismatch' && (e as GalleryStoreError).setting === 'dimension');
        await expect(options.open(k, { dimension: 4, metric: 'l2' })).rejects.toSatisfy((e: unknown) => GalleryStoreError.isInstance(e) && (e as GalleryStoreError).reason === 'mismatch' && (e as GalleryStoreError).setting === 'metric');
        const again = createGallery({ store: await options.open(k, { dimension: 4, metric: 'cosine' }) });
        try {
          expect(await again.entriesOf('alice')).toEqual([...ids].sort());
          expect(await again.metadata.get('calibration')).toEqual({ threshold: 0.3 });
          const [r] = await again.identify([0, 2, 0, 0], { threshold: 0.01 });
          expect(r!.identity).toBe('alice');
          expect(r!.distance).toBeCloseTo(0, 5);
        } finally {
          await again.close();
        }
      });
    }
  });
}
