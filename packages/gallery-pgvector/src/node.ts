/**
 * @likeness/gallery-pgvector/node — Node-only stores: PGlite persisted to a
 * locked folder, and PostgreSQL servers through `pg` (same SQL).
 *
 * @module @likeness/gallery-pgvector/node
 */
export { pgliteGalleryStore } from './node/pglite-folder-store';
export type { PgliteFolderStoreOptions } from './node/pglite-folder-store';
export { postgresGalleryStore } from './node/postgres-gallery-store';
export type { PostgresGalleryStoreOptions } from './node/postgres-gallery-store';
export { SqlGalleryStore, GALLERY_SCHEMA_VERSION } from './sql-gallery-store';
export type { PgvectorStoreOptions, GallerySearchMode } from './store-options';
