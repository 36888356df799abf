/**
 * @likeness/embeddings/node — Node-only helpers (file system). The main
 * entry `@likeness/embeddings` stays browser-safe.
 */

// Files
export { fileSystemHandler } from './node/file-system-handler';
export { writeFileAtomic } from './node/write-file-atomic';
export { saveGallery, loadGallery, importGalleryFile } from './node/gallery-files';

// Pretrained weights
export { faceApiModelDir, loadFaceResNetFromFaceApi } from './node/face-api-weights';
