import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@likeness/backends';
import { createGallery, GalleryStoreError } from '@likeness/embeddings';
import { describeGalleryStoreConformance } from '@likeness/embeddings/testing';
import { pgliteGalleryStore as folderStore } from './node/pglite-folder-store';
import { pgliteGalleryStore } from './pglite-gallery-store';

let db: PGlite;
beforeAll(async () => {
  db = await PGlite.create({ extensions: { vector } });
});
afterAll(async () => {
  await db?.close();
});

// Every store below is a tenant of one in-process PGlite database (one initdb for the file).
describeGalleryStoreConformance({ name: 'PGlite, exact', persistent: true, open: (tenant, o) => pgliteGalleryStore({ pglite: db, tenant, ...o }) });
describeGalleryStoreConformance({ name: 'PGlite, HNSW', persistent: true, open: (tenant, o) => pgliteGalleryStore({ pglite: db, tenant, search: 'hnsw', ...o }) });

describe('pgliteGalleryStore', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'likeness-pglite-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('persists to a folder: data, metadata and settings survive closing; mismatches are refused', async () => {
    const dir = join(tmp(), 'faces-db');
    const g = createGallery({ store: await folderStore({ dataDir: dir, dimension: 3, metric: 'cosine' }) });
    const ids = await g.enrol('alice', [[1, 0, 0], [0, 1, 0]]);
    await g.metadata.set('calibration', { threshold: 0.4 });
    await g.close();
    await expect(folderStore({ dataDir: dir, dimension: 4, metric: 'cosine' })).rejects.toSatisfy((e: unknown) => GalleryStoreError.isInstance(e) && e.reason === 'mismatch' && e.setting === 'dimension');
    const h = createGallery({ store: await folderStore({ dataDir: dir, dimension: 3, metric: 'cosine' }) });
    expect(await h.entriesOf('alice')).toEqual([...ids].sort());
    expect(await h.metadata.get('calibration')).toEqual({ threshold: 0.4 });
    await h.close();
  });

  it('refuses a foreign folder, a file and a folder path through the browser entry, touching nothing', async () => {
    const foreign = tmp();
    writeFileSync(join(foreign, 'notes.txt'), 'mine');
    await expect(folderStore({ dataDir: foreign, dimension: 3 })).rejects.toSatisfy((e: unknown) => GalleryStoreError.isInstance(e) && e.reason === 'corrupt' && /not a PGlite database/.test(e.message));
    const damaged = tmp();
    writeFileSync(join(damaged, 'PG_VERSION'), '17\n');
    await expect(folderStore({ dataDir: damaged, dimension: 3 })).rejects.toSatisfy((e: unknown) => GalleryStoreError.isInstance(e) && e.reason === 'corrupt');
    const file = join(tmp(), 'x.db');
    writeFileSync(file, 'x');
    await expect(folderStore({ dataDir: file, dimension: 3 })).rejects.toSatisfy((e: unknown) => GalleryStoreError.isInstance(e) && e.reason === 'corrupt');
    await expect(pgliteGalleryStore({ dataDir: tmp(), dimension: 3 })).rejects.toSatisfy((e: unknown) => InvalidArgumentError.isInstance(e) && /\/node/.test(e.message));
    // the lock was released after each refusal: a good folder still opens at once
    const ok = join(tmp(), 'db');
    mkdirSync(ok);
    const s = await folderStore({ dataDir: ok, dimension: 3, lockTimeoutMs: 0 });
    await s.close();
  });

  it('builds the HNSW index with the given m and ef_construction', async () => {
    const s = await pgliteGalleryStore({ pglite: db, dimension: 5, tablePrefix: 'hnsw_params', search: 'hnsw', hnswM: 24, efConstruction: 96 });
    const r = await db.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE tablename = 'hnsw_params_d5' AND indexdef LIKE '%USING hnsw%'`);
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]!.indexdef).toMatch(/\bm='?24'?.*ef_construction='?96'?/);
    await s.close();
  });

  it('bad options: typed errors naming the option', async () => {
    await expect(pgliteGalleryStore({ pglite: db, dimension: 0 })).rejects.toSatisfy((e: unknown) => InvalidArgumentError.isInstance(e) && e.argument === 'options.dimension');
    await expect(pgliteGalleryStore({ pglite: db, dimension: 3, metric: 'dot' as 'l2' })).rejects.toSatisfy((e: unknown) => InvalidArgumentError.isInstance(e) && e.argument === 'options.metric');
    await expect(pgliteGalleryStore({ pglite: db, dimension: 3, tenant: '' })).rejects.toSatisfy((e: unknown) => InvalidArgumentError.isInstance(e) && e.argument === 'options.tenant');
    await expect(pgliteGalleryStore({ pglite: db, dimension: 3, search: 'ivf' as 'hnsw' })).rejects.toSatisfy((e: unknown) => InvalidArgumentError.isInstance(e) && e.argument === 'options.search');
    await expect(pgliteGalleryStore({ pglite: db, dimension: 3, search: 'hnsw', hnswM: 1 })).rejects.toSatisfy((e: unknown) => InvalidArgumentError.isInstance(e) && e.argument === 'options.hnswM');
    await expect(pgliteGalleryStore({ pglite: db, dimension: 3, search: 'hnsw', hnswM: 16, efConstruction: 31 })).rejects.toSatisfy((e: unknown) => InvalidArgumentError.isInstance(e) && e.argument === 'options.efConstruction' && /32/.test(e.message));
    await expect(pgliteGalleryStore({ dimension: 3 })).rejects.toSatisfy((e: unknown) => InvalidArgumentError.isInstance(e) && e.argument === 'options.dataDir');
    const s = await pgliteGalleryStore({ pglite: db, dimension: 3, tenant: 'closed' });
    await s.close();
    await expect(s.count()).rejects.toSatisfy((e: unknown) => GalleryStoreError.isInstance(e) && e.reason === 'unavailable');
    expect(db.closed).toBe(false); // a store never closes a PGlite it was given
  });
});
