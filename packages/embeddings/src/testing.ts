/**
 * @likeness/embeddings/testing — the gallery store conformance suite, for
 * store authors and this repository's stores. Needs vitest (an optional
 * peer).
 */
export { describeGalleryStoreConformance } from './testing/describe-gallery-store-conformance';
export type { GalleryStoreConformanceOptions } from './testing/describe-gallery-store-conformance';
