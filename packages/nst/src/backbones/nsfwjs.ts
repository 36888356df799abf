import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@likeness/backends';
import type { ExtractorDefaults, FeatureExtractor } from '../feature-extractor';
import { checkImages } from '../internal/check-images';
import { checkLayers } from '../internal/check-layers';
import { checkMinSide } from '../internal/check-min-side';
import { compileKerasGraph } from '../internal/keras-graph';
import { decodeArtifacts } from '../internal/weights';
import { isRecordingGradient } from './is-recording-gradient';

/** The ImageNet backbones inside the `nsfwjs` npm package. */
export type NsfwjsModel = 'mobilenet_v2' | 'inception_v3';

/** Options of {@link createNsfwjsExtractor}. */
export interface NsfwjsExtractorOptions {
  /** Which of nsfwjs's models the artifacts hold. @defaultValue 'mobilenet_v2' */
  model?: NsfwjsModel;
}

/**
 * The layer up to which nsfwjs kept the ImageNet weights unchanged (its
 * fine-tuning changed the later layers), so the extractor stops there.
 */
export const NSFWJS_LAST_LAYER: Record<NsfwjsModel, string> = {
  mobilenet_v2: 'block_10_project_BN',
  inception_v3: 'mixed5',
};

const DEFAULTS: Record<NsfwjsModel, ExtractorDefaults> = {
  mobilenet_v2: {
    contentLayers: ['block_6_expand_relu'],
    styleLayers: ['Conv1_relu', 'block_1_expand_relu', 'block_3_expand_relu', 'block_6_expand_relu', 'block_10_expand_relu'],
    // Softmax over channels (Wang et al. 2021) takes the Scream's palette and
    // lays fewer speckles (docs/COMPARISON.md); its Gram values are ~1e-7 of the
    // raw ones, so β is scaled to give the same starting style/content balance.
    smoothing: 'softmax',
    contentWeight: 1,
    styleWeight: 2e10,
    // The style magnified to twice the content's size: strokes twice as large, less fine
    // grain, measured on the shared pairs (docs/COMPARISON.md).
    styleScale: 2,
  },
  inception_v3: {
    contentLayers: ['mixed2'],
    styleLayers: ['activation_1', 'activation_3', 'activation_5', 'mixed0', 'mixed3'],
    smoothing: 'none',
    contentWeight: 1,
    styleWeight: 1000,
  },
};

/**
 * Builds a feature extractor from nsfwjs's Keras MobileNetV2 or InceptionV3
 * artifacts (`model.json` topology + uint8-quantised weights, dequantised by
 * `tf.io.decodeWeights`) with tfjs-core ops only, truncated at the last layer
 * whose ImageNet weights nsfwjs left unchanged. Layer names are the Keras
 * ones (`block_3_expand_relu`, `mixed2`, …). Input preprocessing: x·2 − 1.
 *
 * In Node, `loadNsfwjsArtifacts()` from `@likeness/nst/node` reads the files
 * the npm package ships; in a browser, serve them and load with `tf.io.http`.
 *
 * @example
 * ```ts
 * const ex = createNsfwjsExtractor(await loadNsfwjsArtifacts('mobilenet_v2'));
 * const a = ex.extract(img, ['block_3_expand_relu']); // img [1,256,256,3] → [1,64,64,144]
 * ```
 */
export function createNsfwjsExtractor(artifacts: tf.io.ModelArtifacts, options: NsfwjsExtractorOptions = {}): FeatureExtractor {
  const fn = 'createNsfwjsExtractor';
  const model = options.model ?? 'mobilenet_v2';
  if (!(model in NSFWJS_LAST_LAYER)) {
    throw new InvalidArgumentError({ fn, argument: 'options.model', message: `expected 'mobilenet_v2' or 'inception_v3', got ${JSON.stringify(model)}.` });
  }
  if (artifacts == null || typeof artifacts !== 'object') {
    throw new InvalidArgumentError({ fn, argument: 'artifacts', message: 'expected tf.io.ModelArtifacts (modelTopology, weightSpecs, weightData).' });
  }
  const what = `${fn} (${model})`;
  const weights = decodeArtifacts(artifacts, what);
  let graph;
  try {
    graph = compileKerasGraph(artifacts.modelTopology, weights, NSFWJS_LAST_LAYER[model], what);
  } finally {
    tf.dispose(Object.values(weights));
  }
  const g = graph;
  let disposed = false;
  const extractor: FeatureExtractor = {
    name: `${model} (nsfwjs)`,
    layers: g.names,
    defaults: DEFAULTS[model],
    minInputSide(layers = g.names) {
      return g.minInputSide(layers);
    },
    extract(images, layers) {
      const efn = 'FeatureExtractor.extract';
      if (disposed) throw new InvalidArgumentError({ fn: efn, argument: 'this', message: 'the extractor was disposed; create a new one.' });
      checkImages(images, efn, 'images');
      checkLayers(layers, g.names, efn, 'layers');
      checkMinSide(extractor, layers, images.shape[1], images.shape[2], efn, 'images');
      // Without a gradient tape, each activation is freed once its consumers ran
      // (a 1024² style forward held every activation, ~1.6 GB, until the tidy ended).
      const lean = !isRecordingGradient();
      return tf.tidy(() => g.run(tf.tidy(() => tf.sub(tf.mul(images, 2), 1)) as tf.Tensor4D, layers, lean));
    },
    dispose() {
      if (!disposed) g.dispose();
      disposed = true;
    },
  };
  return extractor;
}
