/**
 * @likeness/embeddings/testing — the gallery store conformance suite, for
 * store authors and this repository's stores (needs vitest, an optional
 * peer), and small synthetic encoders and faces for tests of losses and
 * trainers.
 *
 * @module @likeness/embeddings/testing
 */
export { describeGalleryStoreConformance } from './testing/describe-gallery-store-conformance';
export type { GalleryStoreConformanceOptions } from './testing/describe-gallery-store-conformance';
export { tinyEncoder, syntheticFaces } from './testing/tiny-encoder';
