import * as tf from '@tensorflow/tfjs-core';
import { assertTensor, InvalidArgumentError, ShapeError } from '@likeness/backends';
import type { Encoder } from '../encoder';
import { WeightsFormatError } from '../errors/weights-format-error';
import { decodeChecked } from '../weights/compact-encoder-weights';
import { tfSeed } from '../internal/seeded-random';

/** face-api's (dlib's) RGB means, subtracted on the 0–255 scale before dividing by 255. */
export const FACE_RESNET_MEAN_RGB: readonly [number, number, number] = Object.freeze([122.782, 117.001, 104.298]) as readonly [number, number, number];

/** The residual stages in order: [weight prefix, down-sampling?]. */
const BLOCKS: readonly (readonly [string, boolean])[] = [
  ['conv32_1', false], ['conv32_2', false], ['conv32_3', false],
  ['conv64_down', true], ['conv64_1', false], ['conv64_2', false], ['conv64_3', false],
  ['conv128_down', true], ['conv128_1', false], ['conv128_2', false],
  ['conv256_down', true], ['conv256_1', false], ['conv256_2', false], ['conv256_down_out', true],
];

interface ConvParams {
  /** Filters with the per-channel scale folded in: W·s. */
  filter: tf.Tensor4D;
  /** b·s + β (conv bias through the scale layer). */
  bias: tf.Tensor1D;
}

/**
 * The pretrained dlib face ResNet (29 conv layers, 150×150 RGB → 128-d,
 * LFW 99.38 %) on tfjs-core ops, from face-api's `face_recognition_model`
 * weights. Frozen: {@link FaceResNet.trainableVariables} is empty.
 *
 * Input: [N,150,150,3] RGB in [0, 1] (crop and resize faces first, e.g. with
 * `alignFace`). Output: [N,128] descriptors, not normalised; compare them
 * with plain L2 (same person below ≈ 0.6).
 */
export class FaceResNet implements Encoder {
  readonly inputShape = [150, 150, 3] as const;
  readonly embeddingSize = 128;
  readonly normalized = false;
  private readonly stem: ConvParams;
  private readonly blocks: { conv1: ConvParams; conv2: ConvParams; down: boolean }[];
  private readonly fc: tf.Tensor2D;
  private readonly trainable: boolean;
  private disposed = false;

  /** @internal use {@link loadFaceResNet} or {@link createFaceResNet}. */
  constructor(weights: tf.NamedTensorMap, source: string, options: { trainable?: boolean } = {}) {
    this.trainable = options.trainable === true;
    const hold = <T extends tf.Tensor>(t: T, name: string): T => {
      if (!this.trainable) return t;
      const v = tf.variable(t, true, `likeness/face-resnet/${resnetUid}/${name}`) as unknown as T;
      t.dispose();
      return v;
    };
    const get = (name: string, rank: number): tf.Tensor => {
      const t = weights[name];
      if (!t) throw new WeightsFormatError({ source, message: `weight "${name}" is missing; is this face-api's face_recognition_model manifest?` });
      if (t.rank !== rank) throw new WeightsFormatError({ source, message: `weight "${name}" has shape [${t.shape}], expected rank ${rank}.` });
      return t;
    };
    const conv = (prefix: string): ConvParams => {
      const w = get(`${prefix}/conv/filters`, 4);
      const b = get(`${prefix}/conv/bias`, 1);
      const s = get(`${prefix}/scale/weights`, 1);
      const beta = get(`${prefix}/scale/biases`, 1);
      const cout = w.shape[3]!;
      if (b.shape[0] !== cout || s.shape[0] !== cout || beta.shape[0] !== cout) {
        throw new WeightsFormatError({ source, message: `weights of "${prefix}" disagree on the channel count (${cout}).` });
      }
      const folded = tf.tidy(() => ({
        filter: tf.mul(w, s) as tf.Tensor4D,
        bias: tf.add(tf.mul(b, s), beta) as tf.Tensor1D,
      }));
      return { filter: hold(folded.filter, `${prefix}/conv/filters`), bias: hold(folded.bias, `${prefix}/conv/bias`) };
    };
    const made: tf.Tensor[] = [];
    try {
      this.stem = conv('conv32_down');
      made.push(this.stem.filter, this.stem.bias);
      this.blocks = BLOCKS.map(([name, down]) => {
        const blk = { conv1: conv(`${name}/conv1`), conv2: conv(`${name}/conv2`), down };
        made.push(blk.conv1.filter, blk.conv1.bias, blk.conv2.filter, blk.conv2.bias);
        return blk;
      });
      const fc = get('fc', 2);
      if (fc.shape[0] !== 256 || fc.shape[1] !== 128) throw new WeightsFormatError({ source, message: `weight "fc" has shape [${fc.shape}], expected [256,128].` });
      this.fc = hold(tf.clone(fc) as tf.Tensor2D, 'fc');
    } catch (e) {
      tf.dispose(made);
      throw e;
    }
    resnetUid++;
  }

  /**
   * Every weight in face-api's layout (`conv32_down/conv/filters`, …,
   * `fc`), with the scale layers folded into the convolutions (so
   * `scale/weights` are ones and `scale/biases` zeros). New tensors the
   * caller owns.
   */
  exportWeights(): tf.NamedTensorMap {
    this.assertAlive('exportWeights');
    return tf.tidy(() => {
      const out: tf.NamedTensorMap = {};
      const put = (prefix: string, p: ConvParams) => {
        out[`${prefix}/conv/filters`] = tf.clone(p.filter);
        out[`${prefix}/conv/bias`] = tf.clone(p.bias);
        out[`${prefix}/scale/weights`] = tf.onesLike(p.bias);
        out[`${prefix}/scale/biases`] = tf.zerosLike(p.bias);
      };
      put('conv32_down', this.stem);
      BLOCKS.forEach(([name], i) => {
        put(`${name}/conv1`, this.blocks[i]!.conv1);
        put(`${name}/conv2`, this.blocks[i]!.conv2);
      });
      out.fc = tf.clone(this.fc);
      return out;
    });
  }

  /**
   * Descriptors of a batch of aligned face crops: [N,150,150,3] RGB in
   * [0, 1] → [N,128]. Same arithmetic as face-api's `computeFaceDescriptor`
   * (which takes 0–255 pixels).
   */
  encode(images: tf.Tensor4D, _options: { training?: boolean } = {}): tf.Tensor2D {
    this.assertAlive('encode');
    const fn = 'FaceResNet.encode';
    assertTensor(images, fn, 'images');
    if (images.rank !== 4 || images.shape[1] !== 150 || images.shape[2] !== 150 || images.shape[3] !== 3) {
      throw new ShapeError({
        fn, argument: 'images', expected: '[N,150,150,3] RGB in [0,1]', actual: images.shape,
        hint: images.rank === 4 && images.shape[3] === 1
          ? 'Convert greyscale to RGB with tf.tile(images, [1,1,1,3]).'
          : 'Crop the face and resize it to 150×150 first (alignFace or tf.image.resizeBilinear).',
      });
    }
    return tf.tidy(() => {
      const [r, g, b] = FACE_RESNET_MEAN_RGB;
      const mean = tf.tensor1d([r, g, b]);
      let x = tf.div(tf.sub(tf.mul(tf.cast(images, 'float32'), 255), mean), 255) as tf.Tensor4D;
      x = tf.fused.conv2d({ x, filter: this.stem.filter, strides: 2, pad: "valid", bias: this.stem.bias, activation: "relu" }) as tf.Tensor4D;
      x = tf.maxPool(x, 3, 2, 'valid');
      for (const blk of this.blocks) {
        if (!blk.down) {
          const h = tf.fused.conv2d({ x, filter: blk.conv1.filter, strides: 1, pad: 'same', bias: blk.conv1.bias, activation: 'relu' });
          const o = tf.fused.conv2d({ x: h, filter: blk.conv2.filter, strides: 1, pad: 'same', bias: blk.conv2.bias });
          x = tf.relu(tf.add(o, x)) as tf.Tensor4D;
        } else {
          const h = tf.fused.conv2d({ x, filter: blk.conv1.filter, strides: 2, pad: 'valid', bias: blk.conv1.bias, activation: 'relu' });
          let o = tf.fused.conv2d({ x: h, filter: blk.conv2.filter, strides: 1, pad: 'same', bias: blk.conv2.bias });
          let pooled = tf.avgPool(x, 2, 2, 'valid') as tf.Tensor4D;
          const dh = pooled.shape[1] - o.shape[1];
          const dw = pooled.shape[2] - o.shape[2];
          if (dh > 0 || dw > 0) o = tf.pad(o, [[0, 0], [0, Math.max(0, dh)], [0, Math.max(0, dw)], [0, 0]]);
          const dc = o.shape[3] - pooled.shape[3];
          if (dc > 0) pooled = tf.pad(pooled, [[0, 0], [0, 0], [0, 0], [0, dc]]);
          x = tf.relu(tf.add(pooled, o)) as tf.Tensor4D;
        }
      }
      const gap = tf.mean(x, [1, 2]) as tf.Tensor2D;
      return tf.matMul(gap, this.fc);
    });
  }

  /**
   * Empty for a frozen network (the default of {@link loadFaceResNet});
   * the 29 convolutions' filters and biases and the final linear layer when
   * created or loaded with `trainable: true`.
   */
  trainableVariables(): tf.Variable[] {
    this.assertAlive('trainableVariables');
    if (!this.trainable) return [];
    return [this.stem.filter, this.stem.bias, ...this.blocks.flatMap((b) => [b.conv1.filter, b.conv1.bias, b.conv2.filter, b.conv2.bias]), this.fc] as unknown as tf.Variable[];
  }

  /** Frees the weights. Calling it twice is harmless. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose([this.stem.filter, this.stem.bias, this.fc]);
    for (const b of this.blocks) tf.dispose([b.conv1.filter, b.conv1.bias, b.conv2.filter, b.conv2.bias]);
  }

  private assertAlive(method: string): void {
    if (this.disposed) throw new InvalidArgumentError({ fn: `FaceResNet.${method}`, argument: 'this', message: 'the encoder was disposed; load it again with loadFaceResNet().' });
  }
}

/**
 * Loads the pretrained dlib face ResNet from face-api's
 * `face_recognition_model` weights through any `tf.io` handler: in Node
 * `loadFaceResNetFromFaceApi()` (`@likeness/embeddings/node`), in a browser
 * `faceResNetUrlHandler('/models/face_recognition_model-weights_manifest.json')`.
 * The uint8-quantised weights are decoded by `tf.io.decodeWeights`.
 *
 * @example
 * ```ts
 * const net = await loadFaceResNet(faceResNetUrlHandler('/models/face_recognition_model-weights_manifest.json'));
 * const d = net.encode(faces); // faces [N,150,150,3] in [0,1] → d [N,128]
 * ```
 */
export async function loadFaceResNet(handler: tf.io.IOHandler, options: { source?: string; trainable?: boolean } = {}): Promise<FaceResNet> {
  if (handler == null || typeof handler.load !== 'function') {
    throw new InvalidArgumentError({ fn: 'loadFaceResNet', argument: 'handler', message: 'expected a tf.io.IOHandler with load(), e.g. faceResNetUrlHandler(url) or, in Node, use loadFaceResNetFromFaceApi().' });
  }
  const source = options.source ?? 'face_recognition_model';
  let artifacts: tf.io.ModelArtifacts;
  try {
    artifacts = await handler.load();
  } catch (e) {
    if (WeightsFormatError.isInstance(e)) throw e;
    throw new WeightsFormatError({ source, message: `could not read the weights: ${(e as Error).message}`, cause: e });
  }
  const named = decodeChecked(artifacts, source);
  try {
    return new FaceResNet(named, source, { trainable: options.trainable });
  } finally {
    tf.dispose(Object.values(named));
  }
}

let resnetUid = 0;

/**
 * A randomly initialised (He-normal, seeded) dlib-style ResNet with the same
 * architecture, trainable from scratch; save it with {@link saveFaceResNet}.
 *
 * @example
 * ```ts
 * const net = createFaceResNet({ seed: 1 });      // trainable, [N,150,150,3] → [N,128]
 * net.trainableVariables().length;                 // 59 (29 convs × filter+bias, fc)
 * ```
 */
export function createFaceResNet(options: { seed?: number } = {}): FaceResNet {
  let k = 0;
  const seed = () => (options.seed === undefined ? undefined : options.seed * 1000 + k++);
  const weights = tf.tidy(() => {
    const w: tf.NamedTensorMap = {};
    const conv = (prefix: string, size: number, cin: number, cout: number) => {
      w[`${prefix}/conv/filters`] = tf.truncatedNormal([size, size, cin, cout], 0, Math.sqrt(2 / (size * size * cin)), 'float32', tfSeed(seed()));
      w[`${prefix}/conv/bias`] = tf.zeros([cout]);
      w[`${prefix}/scale/weights`] = tf.ones([cout]);
      w[`${prefix}/scale/biases`] = tf.zeros([cout]);
    };
    conv('conv32_down', 7, 3, 32);
    let cin = 32;
    for (const [name] of BLOCKS) {
      const cout = Number(/conv(\d+)/.exec(name)![1]);
      conv(`${name}/conv1`, 3, cin, cout);
      conv(`${name}/conv2`, 3, cout, cout);
      cin = cout;
    }
    w.fc = tf.randomUniform([256, 128], -Math.sqrt(6 / 384), Math.sqrt(6 / 384), 'float32', seed());
    return w;
  });
  try {
    return new FaceResNet(weights, 'createFaceResNet', { trainable: true });
  } finally {
    tf.dispose(Object.values(weights));
  }
}

/**
 * Saves a face ResNet's weights — pretrained, trained from scratch or
 * fine-tuned (`FineTunableFaceResNet`) — as float32 in face-api's manifest
 * layout with folded scale layers, through any `tf.io` handler;
 * `loadFaceResNet` reads them back exactly like the pretrained model.
 *
 * @example
 * ```ts
 * await saveFaceResNet(net, fileSystemHandler('./models/resnet')); // Node, atomic
 * ```
 */
export async function saveFaceResNet(
  net: { exportWeights(): tf.NamedTensorMap },
  handler: tf.io.IOHandler,
  options: { metadata?: Record<string, unknown> } = {},
): Promise<tf.io.SaveResult> {
  if (net == null || typeof (net as Partial<FaceResNet>).exportWeights !== 'function') {
    throw new InvalidArgumentError({ fn: 'saveFaceResNet', argument: 'net', message: 'expected a FaceResNet or FineTunableFaceResNet.' });
  }
  if (handler == null || typeof handler.save !== 'function') {
    throw new InvalidArgumentError({ fn: 'saveFaceResNet', argument: 'handler', message: 'expected a tf.io.IOHandler with save(), e.g. fileSystemHandler(dir).' });
  }
  const named = net.exportWeights();
  try {
    const { data, specs } = await tf.io.encodeWeights(named);
    return await handler.save({
      format: 'likeness-face-resnet',
      generatedBy: '@likeness/embeddings',
      convertedBy: null,
      modelTopology: { format: 'likeness-face-resnet', formatVersion: 1 },
      weightSpecs: specs,
      weightData: data,
      ...(options.metadata ? { userDefinedMetadata: { likeness: options.metadata as {} } } : {}),
    });
  } finally {
    tf.dispose(Object.values(named));
  }
}

/**
 * A browser-friendly `tf.io.IOHandler` for a bare tfjs weights manifest
 * (a JSON array of `{paths, weights}`, like face-api's
 * `*-weights_manifest.json`): fetches the manifest and its shards,
 * relative to the manifest's URL.
 *
 * @example
 * ```ts
 * const h = faceResNetUrlHandler('/models/face_recognition_model-weights_manifest.json');
 * const net = await loadFaceResNet(h); // [N,150,150,3] → [N,128]
 * ```
 */
export function faceResNetUrlHandler(manifestUrl: string, options: { fetch?: typeof fetch } = {}): tf.io.IOHandler {
  const f = options.fetch ?? globalThis.fetch;
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const res = await f(manifestUrl);
      if (!res.ok) throw new WeightsFormatError({ source: manifestUrl, message: `HTTP ${res.status}; check the URL and that the model files are served.` });
      let manifest: tf.io.WeightsManifestConfig;
      try {
        manifest = (await res.json()) as tf.io.WeightsManifestConfig;
      } catch (e) {
        throw new WeightsFormatError({ source: manifestUrl, message: 'is not valid JSON (truncated or not a weights manifest).', cause: e });
      }
      if (!Array.isArray(manifest)) throw new WeightsFormatError({ source: manifestUrl, message: 'is not a weights manifest (expected a JSON array of {paths, weights}).' });
      const base = manifestUrl.slice(0, manifestUrl.lastIndexOf('/') + 1);
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: ArrayBuffer[] = [];
      for (const g of manifest) {
        specs.push(...g.weights);
        for (const p of g.paths) {
          const r = await f(base + p);
          if (!r.ok) throw new WeightsFormatError({ source: base + p, message: `HTTP ${r.status}; serve every shard next to the manifest.` });
          buffers.push(await r.arrayBuffer());
        }
      }
      return { weightSpecs: specs, weightData: buffers.length === 1 ? buffers[0]! : buffers };
    },
  };
}
