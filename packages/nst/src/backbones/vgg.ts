import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@likeness/backends';
import type { ExtractorDefaults, FeatureExtractor } from '../feature-extractor';
import { checkLayers } from '../internal/check-layers';
import { checkMinSide } from '../internal/check-min-side';
import { checkImages } from '../internal/check-images';
import { decodeArtifacts, takeWeight } from '../internal/weights';
import { isRecordingGradient } from './is-recording-gradient';

/** Where a VGG's weights come from, which sets the weight names and the preprocessing. */
export type VggLayout = 'keras' | 'torchvision';

/** Options of {@link createVgg}. */
export interface VggOptions {
  /** 16 or 19 convolution/dense layers. @defaultValue 19 */
  depth?: 16 | 19;
  /**
   * `'keras'`: weights `block{n}_conv{m}/kernel` [3,3,in,out] and `/bias`
   * (any prefix before `block` is ignored), Caffe preprocessing (RGB→BGR,
   * ×255, minus the ImageNet BGR mean).
   * `'torchvision'`: weights `features.{i}.weight` [out,in,3,3] and `.bias`,
   * RGB in [0,1] minus mean, divided by std.
   * @defaultValue 'keras'
   */
  layout?: VggLayout;
  /** Named weight tensors (the caller keeps ownership; the extractor copies what it needs). */
  weights: tf.NamedTensorMap;
  /** Pooling: `'avg'` gives smoother results in style transfer (Gatys et al.). @defaultValue 'avg' */
  pooling?: 'max' | 'avg';
}

const BLOCKS: Record<16 | 19, number[]> = { 16: [2, 2, 3, 3, 3], 19: [2, 2, 4, 4, 4] };
const CHANNELS = [64, 128, 256, 512, 512];
const BGR_MEAN = [103.939, 116.779, 123.68];
const RGB_MEAN = [0.485, 0.456, 0.406];
const RGB_STD = [0.229, 0.224, 0.225];

interface Op {
  name: string;
  kind: 'conv' | 'relu' | 'pool';
  kernel?: tf.Tensor4D;
  bias?: tf.Tensor1D;
}

/** jcjohnson/neural-style layer names of a VGG (`conv1_1`, `relu1_1`, …, `pool5`) in forward order. */
export function vggLayerNames(depth: 16 | 19 = 19): string[] {
  const names: string[] = [];
  BLOCKS[depth].forEach((n, b) => {
    for (let i = 1; i <= n; i++) names.push(`conv${b + 1}_${i}`, `relu${b + 1}_${i}`);
    names.push(`pool${b + 1}`);
  });
  return names;
}

function findKeras(weights: tf.NamedTensorMap, suffix: string): string {
  if (weights[suffix]) return suffix;
  const hit = Object.keys(weights).find((k) => k.endsWith('/' + suffix));
  return hit ?? suffix;
}

/**
 * Builds a VGG-16/19 feature extractor from tfjs-core ops (no tfjs-layers),
 * with jcjohnson/neural-style layer names. Keras names are accepted as
 * aliases: `block{n}_conv{m}` is `relu{n}_{m}` (Keras fuses the ReLU),
 * `block{n}_pool` is `pool{n}`.
 *
 * @throws WeightsMismatchError when a weight is missing or has the wrong shape.
 *
 * @example
 * ```ts
 * const vgg = createVgg({ depth: 19, layout: 'keras', weights }); // weights from tf.io
 * const a = vgg.extract(img, ['relu4_2']);  // img [1,256,256,3] → a.relu4_2 [1,32,32,512]
 * ```
 */
export function createVgg(options: VggOptions): FeatureExtractor {
  const fn = 'createVgg';
  const depth = options.depth ?? 19;
  const layout = options.layout ?? 'keras';
  const pooling = options.pooling ?? 'avg';
  if (depth !== 16 && depth !== 19) throw new InvalidArgumentError({ fn, argument: 'options.depth', message: `expected 16 or 19, got ${String(depth)}.` });
  if (layout !== 'keras' && layout !== 'torchvision') {
    throw new InvalidArgumentError({ fn, argument: 'options.layout', message: `expected 'keras' or 'torchvision', got ${JSON.stringify(layout)}.` });
  }
  if (pooling !== 'max' && pooling !== 'avg') throw new InvalidArgumentError({ fn, argument: 'options.pooling', message: `expected 'max' or 'avg'.` });
  if (options.weights == null || typeof options.weights !== 'object') {
    throw new InvalidArgumentError({ fn, argument: 'options.weights', message: 'expected a tf.NamedTensorMap (e.g. from loadVgg or tf.io.decodeWeights).' });
  }
  const what = `${fn} (VGG-${depth}, ${layout})`;
  const ops: Op[] = [];
  let torchIndex = 0;
  let cin = 3;
  try {
    BLOCKS[depth].forEach((n, b) => {
      const cout = CHANNELS[b]!;
      for (let i = 1; i <= n; i++) {
        let kernel: tf.Tensor4D;
        let bias: tf.Tensor1D;
        if (layout === 'keras') {
          const base = `block${b + 1}_conv${i}`;
          kernel = tf.clone(takeWeight(options.weights, findKeras(options.weights, `${base}/kernel`), [3, 3, cin, cout], what)) as tf.Tensor4D;
          bias = tf.clone(takeWeight(options.weights, findKeras(options.weights, `${base}/bias`), [cout], what)) as tf.Tensor1D;
        } else {
          const w = takeWeight(options.weights, `features.${torchIndex}.weight`, [cout, cin, 3, 3], what);
          kernel = tf.transpose(w, [2, 3, 1, 0]) as tf.Tensor4D;
          bias = tf.clone(takeWeight(options.weights, `features.${torchIndex}.bias`, [cout], what)) as tf.Tensor1D;
          torchIndex += 2;
        }
        ops.push({ name: `conv${b + 1}_${i}`, kind: 'conv', kernel, bias }, { name: `relu${b + 1}_${i}`, kind: 'relu' });
        cin = cout;
      }
      ops.push({ name: `pool${b + 1}`, kind: 'pool' });
      torchIndex += 1;
    });
  } catch (e) {
    for (const op of ops) tf.dispose([op.kernel!, op.bias!].filter(Boolean));
    throw e;
  }
  const names = ops.map((o) => o.name);
  const aliases = new Map<string, string>();
  BLOCKS[depth].forEach((n, b) => {
    for (let i = 1; i <= n; i++) aliases.set(`block${b + 1}_conv${i}`, `relu${b + 1}_${i}`);
    aliases.set(`block${b + 1}_pool`, `pool${b + 1}`);
  });
  const mean = layout === 'keras' ? BGR_MEAN : RGB_MEAN;
  let disposed = false;

  // jcjohnson/neural-style's defaults (content 5, style 100, equal layers), rescaled
  // to @likeness/gram's normalisation: its content loss is a mean (ours = mean/4) and
  // its style loss is mean((ΔG/(C·H·W))²) (ours = that · C²/4), so α = 4·5 and
  // λ_l = 4/C_l² with β = 100.
  const styleChannels = [64, 128, 256, 512, 512];
  const defaults: ExtractorDefaults = {
    contentLayers: ['relu4_2'],
    styleLayers: ['relu1_1', 'relu2_1', 'relu3_1', 'relu4_1', 'relu5_1'],
    styleLayerWeights: styleChannels.map((c) => 4 / (c * c)),
    smoothing: 'none',
    contentWeight: 20,
    styleWeight: 100,
  };

  const extractor: FeatureExtractor = {
    name: `vgg${depth} (${layout})`,
    layers: [...names, ...aliases.keys()],
    defaults,
    minInputSide(layers = names) {
      // Each 2×2 stride-2 valid pool up to the deepest layer halves the side (floor).
      let deepest = -1;
      for (const l of layers) deepest = Math.max(deepest, names.indexOf(aliases.get(l) ?? l));
      return 2 ** ops.slice(0, deepest + 1).filter((o) => o.kind !== 'conv' && o.kind !== 'relu').length;
    },
    extract(images, layers) {
      const efn = 'FeatureExtractor.extract';
      if (disposed) throw new InvalidArgumentError({ fn: efn, argument: 'this', message: 'the extractor was disposed; create a new one.' });
      checkImages(images, efn, 'images');
      const resolved = layers.map((l) => aliases.get(l) ?? l);
      const deepest = checkLayers(resolved, names, efn, 'layers');
      checkMinSide(extractor, layers, images.shape[1], images.shape[2], efn, 'images');
      // Without a gradient tape, each activation is freed as soon as the next
      // layer ran (unless requested): the peak is two activations, not all of them.
      const lean = !isRecordingGradient();
      const step = (f: () => tf.Tensor4D): tf.Tensor4D => (lean ? tf.tidy(f) : f());
      return tf.tidy(() => {
        let x = step(() =>
          (layout === 'keras'
            ? tf.sub(tf.mul(tf.reverse(images, -1), 255), tf.tensor1d(mean))
            : tf.div(tf.sub(images, tf.tensor1d(mean)), tf.tensor1d(RGB_STD))) as tf.Tensor4D,
        );
        const out: Record<string, tf.Tensor4D> = {};
        const kept = new Set<tf.Tensor>();
        for (let k = 0; k <= deepest; k++) {
          const op = ops[k]!;
          const prev = x;
          if (op.kind === 'conv') x = step(() => tf.add(tf.conv2d(prev, op.kernel!, 1, 'same'), op.bias!) as tf.Tensor4D);
          else if (op.kind === 'relu') x = tf.relu(prev);
          else x = pooling === 'max' ? tf.maxPool(prev, 2, 2, 'valid') : tf.avgPool(prev, 2, 2, 'valid');
          for (let j = 0; j < layers.length; j++) {
            if (resolved[j] === op.name) {
              out[layers[j]!] = x;
              kept.add(x);
            }
          }
          if (lean && !kept.has(prev)) prev.dispose();
        }
        return out;
      });
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const op of ops) if (op.kind === 'conv') tf.dispose([op.kernel!, op.bias!]);
    },
  };
  return extractor;
}

/**
 * Loads VGG weights through any `tf.io` handler (`tf.io.browserFiles`,
 * `tf.io.http`, or `@likeness/nst/node`'s `fileHandler`) and builds the
 * extractor. The decoded tensors are freed once copied.
 *
 * @example
 * ```ts
 * const vgg = await loadVgg(tf.io.http('/models/vgg19/model.json'), { depth: 19, layout: 'keras' });
 * ```
 */
export async function loadVgg(handler: tf.io.IOHandler, options: Omit<VggOptions, 'weights'> = {}): Promise<FeatureExtractor> {
  if (handler == null || typeof handler.load !== 'function') {
    throw new InvalidArgumentError({ fn: 'loadVgg', argument: 'handler', message: 'expected a tf.io.IOHandler with a load() method.' });
  }
  const weights = decodeArtifacts(await handler.load(), 'loadVgg');
  try {
    return createVgg({ ...options, weights });
  } finally {
    tf.dispose(Object.values(weights));
  }
}
