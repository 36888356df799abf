import type * as tf from '@tensorflow/tfjs-core';

/**
 * Anything that maps images to named activations, so any backbone plugs into
 * the style-transfer engine.
 *
 * Images are NHWC float32 RGB in [0, 1]; the extractor applies its own
 * preprocessing (mean subtraction, channel order, scaling). `extract` is
 * synchronous and differentiable with respect to `images`, runs the network
 * only as deep as the deepest requested layer, returns new tensors the caller
 * owns, and never disposes its input.
 *
 * @example
 * ```ts
 * const vgg = createVgg({ depth: 19, layout: 'keras', weights }); // see createVgg
 * const acts = vgg.extract(images, ['relu1_1', 'relu4_2']);
 * // images [1,256,256,3] → acts.relu1_1 [1,256,256,64], acts.relu4_2 [1,32,32,512]
 * tf.dispose(Object.values(acts));
 * vgg.dispose();
 * ```
 */
export interface FeatureExtractor {
  /** A short name for reports, e.g. `'vgg19'`, `'mobilenet_v2 (nsfwjs)'`. */
  readonly name: string;
  /** Every layer name `extract` accepts, in forward order. */
  readonly layers: readonly string[];
  /** Layers and weights this backbone stylises well with (used when the user gives none). */
  readonly defaults: ExtractorDefaults;
  /**
   * Runs the network on `images` ([N,H,W,3] RGB in [0,1]) and returns the
   * activations of `layers`, each [N,h,w,c].
   * @throws InvalidArgumentError naming `layers` for an unknown layer name.
   * @throws ShapeError naming `images` when H or W is below `minInputSide(layers)`.
   */
  extract(images: tf.Tensor4D, layers: readonly string[]): Record<string, tf.Tensor4D>;
  /**
   * Smallest image height and width (px) for which `extract` can compute
   * `layers` (every layer when omitted): derived from the network's kernel
   * sizes, strides and paddings. Optional for third-party extractors; the
   * engine then assumes 1. `extract` and the engine throw ShapeError below it.
   *
   * @example
   * ```ts
   * ex.minInputSide(['mixed3']); // inception_v3 (nsfwjs) → 43
   * ```
   */
  minInputSide?(layers?: readonly string[]): number;
  /** Frees the weights. */
  dispose(): void;
}

/** Layer choices a backbone recommends. */
export interface ExtractorDefaults {
  /** Layers whose activations the content loss compares (names as in `FeatureExtractor.layers`). */
  contentLayers: readonly string[];
  /** Layers whose Gram matrices the style loss compares, shallow to deep. */
  styleLayers: readonly string[];
  /** λ_l per style layer (same order); equal weights when absent. */
  styleLayerWeights?: readonly number[];
  /**
   * Style image size relative to the content that `styleTransfer` uses
   * when `styleScale` is not given (MobileNetV2: 2, measured in
   * docs/COMPARISON.md: its small receptive fields paint larger strokes from a
   * magnified style image). @defaultValue 1
   */
  styleScale?: number;
  /** Activation smoothing the backbone needs for style (residual nets: `'softmax'`). */
  smoothing?: 'none' | 'softmax';
  /** Content weight α and style weight β that work with this backbone's activation scale. */
  contentWeight: number;
  /** The style weight β that goes with `contentWeight` (see above). */
  styleWeight: number;
}
