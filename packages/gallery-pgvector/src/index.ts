/**
 * @likeness/gallery-pgvector — gallery stores on pgvector for
 * `@likeness/embeddings`: PGlite in process (browser IndexedDB here; Node
 * folders and PostgreSQL servers in `@likeness/gallery-pgvector/node`).
 *
 * @module @likeness/gallery-pgvector
 */
export { pgliteGalleryStore } from './pglite-gallery-store';
export type { PgliteGalleryStoreOptions } from './pglite-gallery-store';
export { SqlGalleryStore, GALLERY_SCHEMA_VERSION } from './sql-gallery-store';
export type { PgvectorStoreOptions, GallerySearchMode } from './store-options';
