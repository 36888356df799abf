import { describe, expect, it, vi } from 'vitest';
import { GalleryStoreError } from '@likeness/embeddings';

// a machine without the optional peer dependency `pg`
vi.mock('pg', () => {
  throw new Error("Cannot find module 'pg'");
});

describe('@likeness/gallery-pgvector/node without pg installed', () => {
  it('loads the entry (PGlite folders need no pg) and postgresGalleryStore says to install pg', async () => {
    const entry = await import('../node');
    expect(typeof entry.pgliteGalleryStore).toBe('function');
    const err = await entry.postgresGalleryStore({ connectionString: 'postgres://127.0.0.1:1/x', dimension: 4 }).catch((e: unknown) => e);
    expect(GalleryStoreError.isInstance(err)).toBe(true);
    expect((err as GalleryStoreError).setting).toBe('connectionString');
    expect((err as Error).message).toMatch(/npm install pg/);
  });
});
