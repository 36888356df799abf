/**
 * @likeness/embeddings/node — Node-only helpers (file system). The main
 * entry `@likeness/embeddings` stays browser-safe.
 *
 * @module @likeness/embeddings/node
 */

// Files
export { fileSystemHandler } from './node/file-system-handler';
export { writeFileAtomic } from './node/write-file-atomic';
export { saveGallery, loadGallery, importGalleryFile } from './node/gallery-files';

// Pretrained weights
export { faceApiModelDir, loadFaceResNetFromFaceApi } from './node/face-api-weights';

// The one-call face pipeline with file decoding
export { createFaceRecognizer } from './node/face-recognizer';
export type { NodeFaceRecognizerOptions, NodeImageInput } from './node/face-recognizer';
export type { FaceRecognizer } from './recognizer/face-recognizer';
export { decodeImage, DEFAULT_MAX_DECODE_PIXELS } from './node/decode-image';
export type { DecodeImageOptions, EncodedImage } from './node/decode-image';
