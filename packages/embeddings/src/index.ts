/**
 * @likeness/embeddings — encoders f(x) → ℝᴰ, the pretrained dlib face ResNet,
 * distances, a one-shot gallery and calibration metrics.
 *
 * Browser-safe: nothing here touches the file system. Node file helpers are
 * in `@likeness/embeddings/node`.
 *
 * @module @likeness/embeddings
 */

// Encoders
export type { Encoder } from './encoder';

// Distances
export type { DistanceMetric } from './distance/distance-metric';
export { DISTANCE_METRICS } from './distance/distance-metric';
export { squaredL2Distance, l2Distance, cosineDistance } from './distance/distances';
export { pairwiseDistances } from './distance/pairwise-distances';
export type { PairwiseDistanceOptions } from './distance/pairwise-distances';

// Seeded sampling and label checks shared by the loss and training packages
export { SeededRandom } from './random/seeded-random';
export { assertEmbeddings, checkIdentityLabels } from './labels/check-identity-labels';

// Calibration and metrics (pure TypeScript on number arrays)
export { rocCurve } from './metrics/roc-curve';
export type { RocCurve, PairValueOptions } from './metrics/roc-curve';
export { rocAuc } from './metrics/roc-auc';
export { equalErrorRate } from './metrics/equal-error-rate';
export type { EqualErrorRate } from './metrics/equal-error-rate';
export { tarAtFar } from './metrics/tar-at-far';
export type { TarAtFar } from './metrics/tar-at-far';
export { accuracyAtThreshold, bestThreshold } from './metrics/threshold-accuracy';
export type { ThresholdAccuracy, BestThresholdOptions } from './metrics/threshold-accuracy';
export { verificationReport } from './metrics/verification-report';
export type { VerificationReport } from './metrics/verification-report';
export { rocSvg } from './metrics/roc-svg';
export type { RocSvgCurve, RocSvgOptions } from './metrics/roc-svg';

// Trainable encoders
export { createCompactEncoder, CompactEncoder } from './encoder/compact-encoder';
export type { CompactEncoderOptions, CompactEncoderConfig } from './encoder/compact-encoder';

// Pretrained face encoder (dlib ResNet, face-api weights)
export { FaceResNet, loadFaceResNet, createFaceResNet, saveFaceResNet, faceResNetUrlHandler, FACE_RESNET_MEAN_RGB, FACE_RESNET_STAGES, FineTunableFaceResNet } from './encoder/face-resnet';
export type { FaceResNetFineTuneOptions, FineTunableFaceResNetOptions } from './encoder/face-resnet';

// Test-time augmentation
export { flipAveragedEncoder } from './encoder/flip-averaged-encoder';
export type { FlipAveragedEncoderOptions } from './encoder/flip-averaged-encoder';

// Ensembles
export { ensembleEncoder } from './encoder/ensemble-encoder';

// Face preparation
export { alignFace, dlibFaceBox, landmarks68To5, FACE_TEMPLATE_5 } from './face/align-face';
export type { AlignFaceOptions, FaceFraming } from './face/align-face';
export { estimateSimilarity, applySimilarity } from './face/similarity-transform';
export type { Point, SimilarityTransform } from './face/similarity-transform';
export { prepareFaces } from './face/prepare-faces';
export type { PrepareFacesOptions } from './face/prepare-faces';
export type { FaceDetectorAdapter, DetectedFace } from './face/face-detector';
export { createFaceApiDetector } from './face/face-api-detector';
export type { FaceApiModule, FaceApiDetectorOptions } from './face/face-api-detector';
export { detectFacesRobust, robustFaceDetector } from './face/robust-detect';
export { refineFaceLandmarks } from './face/refine-landmarks';
export type { RefineLandmarksOptions, RefinedFace } from './face/refine-landmarks';
export { tiledFaceDetector, mergeDetections } from './face/tiled-detect';
export type { TiledDetectOptions } from './face/tiled-detect';
export type { RobustDetectOptions, RobustDetection } from './face/robust-detect';
export { augmentFaces, augmentFacesParams } from './face/augment-faces';
export type { AugmentFacesOptions, FaceAugmentation } from './face/augment-faces';

// The one-call face pipeline
export { createFaceRecognizer } from './recognizer/face-recognizer';
export type {
  FaceRecognizer, FaceRecognizerOptions, FaceSearch, FoundFace, EmbeddedFace, IdentifiedFace, FaceVerification, FaceBox, EmbedOptions, LabelledImage,
} from './recognizer/face-recognizer';
export {
  calibrateFaceThreshold, calibrationFromDistances, confidenceFromDistance, parseFaceCalibration, DEFAULT_FACE_CALIBRATION,
} from './recognizer/face-calibration';
export type { FaceCalibration, CalibrateOptions } from './recognizer/face-calibration';
export { toRgbTensor, fitToBudget, DEFAULT_MAX_PIXELS } from './image/image-input';
export type { ImageInput, ImageDataLike, DrawableImage, RgbTensor } from './image/image-input';
export { decodePnm, isPnm } from './image/decode-pnm';
export type { PnmImage } from './image/decode-pnm';

// Gallery
export { createGallery, Gallery } from './gallery/gallery';
export type { GalleryOptions, GalleryMetadata, Identification, EmbeddingInput } from './gallery/gallery';
export { MemoryGalleryStore } from './gallery/memory-gallery-store';
export { fromGalleryStoreV1 } from './gallery/from-gallery-store-v1';
export type { GalleryStore, GalleryStoreV2, GalleryStoreV1, GalleryEntry, GalleryHit, JsonValue } from './gallery/gallery-store';
export { importGallery } from './gallery/import-gallery';
export type { ImportGalleryOptions, ImportGalleryResult } from './gallery/import-gallery';
export { ExactIndex, exactIndexHasWasmSimd } from './gallery/exact-index';
export type { ExactIndexKernel, ExactIndexOptions, ExactSearchResult } from './gallery/exact-index';
export { serializeGallery, deserializeGallery, GALLERY_FORMAT_VERSION } from './gallery/gallery-file';

// Weights (tf.io manifests, any IOHandler)
export { saveCompactEncoder, loadCompactEncoder, COMPACT_ENCODER_FORMAT, COMPACT_ENCODER_FORMAT_VERSION } from './weights/compact-encoder-weights';

// Errors
export { WeightsFormatError } from './errors/weights-format-error';
export { GalleryEmptyError } from './errors/gallery-empty-error';
export { GalleryFormatError } from './errors/gallery-format-error';
export { GalleryStoreError } from './errors/gallery-store-error';
export type { GalleryStoreErrorReason } from './errors/gallery-store-error';
export { ImageTooLargeError } from './errors/image-too-large-error';
export { NoFaceFoundError } from './errors/no-face-found-error';
export { LikenessError, InvalidArgumentError, ShapeError } from '@likeness/backends';
