/**
 * @likeness/nst — neural style transfer on tfjs-core: feature extractors,
 * pretrained backbones and an optimisation engine. Browser-safe; Node-only
 * file loading is in `@likeness/nst/node`.
 *
 * @module @likeness/nst
 */

// Feature extractors
export type { FeatureExtractor, ExtractorDefaults } from './feature-extractor';
export { createVgg, loadVgg, vggLayerNames } from './backbones/vgg';
export type { VggOptions, VggLayout } from './backbones/vgg';
export { createNsfwjsExtractor, NSFWJS_LAST_LAYER } from './backbones/nsfwjs';
export type { NsfwjsModel, NsfwjsExtractorOptions } from './backbones/nsfwjs';

// Engine
export { createStyleTransfer } from './style-transfer';
export type { StyleTransfer, StyleTransferOptions, StyleImage, StepReport, ProgressEvent, RunOptions, RunResult } from './style-transfer';
export { styleTransfer } from './run-style-transfer';
export type { StyleTransferRunOptions, StyleTransferResult } from './run-style-transfer';
export { estimateStepBytes } from './memory';

// Errors
export { WeightsMismatchError } from './errors/weights-mismatch-error';
export { ImageTooLargeError } from './errors/image-too-large-error';
export { LikenessError, InvalidArgumentError, ShapeError } from '@likeness/backends';

// Evaluation metrics (stroke scale and palette, backbone-independent)
export { luminanceSpectrum } from './metrics/luminance-spectrum';
export type { LuminanceSpectrum, LuminanceSpectrumOptions } from './metrics/luminance-spectrum';
export { labFrechetDistance } from './metrics/lab-frechet-distance';
export { slicedWassersteinDistance } from './metrics/sliced-wasserstein-distance';
export type { SlicedWassersteinOptions } from './metrics/sliced-wasserstein-distance';
export { meanChroma } from './metrics/mean-chroma';
