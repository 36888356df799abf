import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { useBackend } from '@likeness/backends';
import { GalleryStoreError } from '../errors/gallery-store-error';
import { fromGalleryStoreV1 } from './from-gallery-store-v1';
import { createGallery } from './gallery';
import { deserializeGallery, serializeGallery } from './gallery-file';
import type { GalleryEntry, GalleryStoreV1 } from './gallery-store';
import { importGallery } from './import-gallery';
import { MemoryGalleryStore } from './memory-gallery-store';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('importGallery', () => {
  it('copies entries (ids kept), identities and metadata from .lkgl bytes; a second import replaces, never duplicates', async () => {
    const src = createGallery({ dimension: 2 });
    await src.metadata.set('calibration', { threshold: 0.5 });
    const a = await src.enrol('alice', [[0, 0], [1, 1]]);
    await src.enrol('bob', [5, 5]);
    const bytes = await serializeGallery(src);
    expect(await deserializeGallery(bytes).metadata.get('calibration')).toEqual({ threshold: 0.5 });
    const target = new MemoryGalleryStore(2, 'l2');
    expect(await importGallery(bytes, target)).toEqual({ entries: 3, identities: 2, metadataKeys: 1 });
    expect(await importGallery(bytes, target)).toEqual({ entries: 3, identities: 2, metadataKeys: 1 });
    expect(await target.count()).toBe(3);
    expect(await target.doEntryIds('alice')).toEqual([...a].sort());
    expect(await target.doGetMetadata('calibration')).toEqual({ threshold: 0.5 });
    const g = createGallery({ store: target });
    expect((await g.identify([1, 1], { threshold: 0.1 }))[0]!.identity).toBe('alice');
    await g.close();
    await src.close();
  });

  it('refuses a target of another dimension or metric and leaves it unchanged', async () => {
    const src = createGallery({ dimension: 2 });
    await src.enrol('alice', [0, 0]);
    const other = new MemoryGalleryStore(3, 'l2');
    await expect(importGallery(src, other)).rejects.toSatisfy((e: unknown) => GalleryStoreError.isInstance(e) && e.reason === 'mismatch' && e.setting === 'dimension');
    const cos = new MemoryGalleryStore(2, 'cosine');
    await expect(importGallery(src, cos)).rejects.toSatisfy((e: unknown) => GalleryStoreError.isInstance(e) && e.setting === 'metric');
    expect(await other.count()).toBe(0);
    expect(await cos.count()).toBe(0);
    await src.close();
  });
});

describe('version-1 stores', () => {
  it('still work through fromGalleryStoreV1 (createGallery wraps them): identities, update, remove, metadata', async () => {
    const rows: GalleryEntry[] = [];
    const inner = new MemoryGalleryStore(2, 'l2');
    const v1: GalleryStoreV1 = {
      specificationVersion: 'v1', dimension: 2, metric: 'l2',
      size: () => rows.length,
      doAdd: async (e) => { rows.push(...e); await inner.doUpsert(e); },
      doRemove: async (ids) => { const n = rows.length; for (const id of ids) { const i = rows.findIndex((r) => r.id === id); if (i >= 0) rows.splice(i, 1); } await inner.doRemove(ids); return n - rows.length; },
      doSearch: (q, k) => inner.doSearch(q, k),
      doEntries: () => rows,
    };
    const g = createGallery({ store: v1 });
    expect(g.backingStore!.specificationVersion).toBe('v2');
    await g.enrol('alice', [[0, 0], [1, 0]]);
    await g.enrol('bob', [9, 9]);
    expect(await g.identities()).toEqual(['alice', 'bob']);
    await g.update('alice', [3, 3]);
    expect(await g.count()).toBe(2);
    expect((await g.identify([3, 3], { threshold: 0.1 }))[0]!.identity).toBe('alice');
    expect(await g.remove('bob')).toBe(1);
    await g.metadata.set('k', [1, 'two']);
    expect(await g.metadata.get('k')).toEqual([1, 'two']);
    expect(fromGalleryStoreV1(v1).exact).toBe(true);
    await g.close();
  });
});
