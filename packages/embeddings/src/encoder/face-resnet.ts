import * as tf from '@tensorflow/tfjs-core';
import { assertTensor, InvalidArgumentError, ShapeError } from '@likeness/backends';
import type { Encoder } from '../encoder';
import { WeightsFormatError } from '../errors/weights-format-error';
import { decodeChecked } from '../weights/compact-encoder-weights';
import { tfSeed } from '../internal/seeded-random';

/** face-api's (dlib's) RGB means, subtracted on the 0–255 scale before dividing by 255. */
export const FACE_RESNET_MEAN_RGB: readonly [number, number, number] = Object.freeze([122.782, 117.001, 104.298]) as readonly [number, number, number];

/** The 14 residual stages of the dlib face ResNet, input to output: [weight prefix, down-sampling?]. */
export const FACE_RESNET_STAGES: readonly (readonly [string, boolean])[] = Object.freeze([
  ['conv32_1', false], ['conv32_2', false], ['conv32_3', false],
  ['conv64_down', true], ['conv64_1', false], ['conv64_2', false], ['conv64_3', false],
  ['conv128_down', true], ['conv128_1', false], ['conv128_2', false],
  ['conv256_down', true], ['conv256_1', false], ['conv256_2', false], ['conv256_down_out', true],
] as const);

/** Options of {@link FaceResNet.fromPretrained}. */
export interface FaceResNetFineTuneOptions {
  /**
   * How many of the last residual stages (0 … 14) become trainable; the
   * final 256→128 projection (`fc`) is always trainable, everything before
   * them stays frozen.
   * @defaultValue `3` (conv256_1, conv256_2, conv256_down_out + fc)
   */
  trainableStages?: number;
}

/**
 * What is trainable: nothing (`'frozen'`, the pretrained net), the last k
 * residual stages and `fc` (a number, for fine-tuning), or every layer
 * (`'all'`, training from scratch).
 */
type Trainable = 'frozen' | 'all' | number;

interface ConvParams {
  /** Filters with the per-channel scale folded in: W·s. */
  filter: tf.Tensor4D;
  /** b·s + β (conv bias through the scale layer). */
  bias: tf.Tensor1D;
}

interface Stage { name: string; conv1: ConvParams; conv2: ConvParams; down: boolean; trainable: boolean }

let nextUid = 0;

/**
 * The dlib face ResNet (29 conv layers, 150×150 RGB → 128-d, LFW 99.38 %
 * pretrained) on tfjs-core ops, from face-api's `face_recognition_model`
 * weights: frozen as loaded by {@link loadFaceResNet}, fine-tunable (its last
 * k residual stages and its projection as `tf.Variable`s) through
 * {@link FaceResNet.fromPretrained}, or trainable from scratch
 * ({@link createFaceResNet}).
 *
 * Input: [N,150,150,3] RGB in [0, 1] (crop and resize faces first, e.g. with
 * `alignFace`). Output: [N,128] descriptors, not normalised; compare them
 * with plain L2 (same person below ≈ 0.6). The forward pass has no batch
 * statistics (it does not depend on the batch) and is split in two so that
 * the frozen part can be run once per image and cached:
 * `encode(x) = encodeFeatures(frozenFeatures(x))`.
 * {@link FaceResNet.exportWeights} gives face-api-named weights that
 * `loadFaceResNet` loads exactly like the pretrained ones.
 *
 * @example
 * ```ts
 * const net = await loadFaceResNetFromFaceApi();                          // frozen: trainableVariables() is []
 * const ft = FaceResNet.fromPretrained(net, { trainableStages: 3 });     // a fine-tunable copy
 * const f = ft.frozenFeatures(faces);  // [N,150,150,3] → [N,4,4,256] (cache it)
 * const e = ft.encodeFeatures(f);      // → [N,128], differentiable w.r.t. ft.trainableVariables()
 * ```
 */
export class FaceResNet implements Encoder {
  readonly inputShape = [150, 150, 3] as const;
  readonly embeddingSize = 128;
  readonly normalized = false;
  /**
   * k, the number of trainable residual stages: 0 for the frozen net, the
   * option of {@link FaceResNet.fromPretrained} for a fine-tunable one, 14
   * for a net trained from scratch (whose stem is trainable too).
   */
  readonly trainableStages: number;
  /** Prefix of the variables' names (unique per instance, tfjs names are global). */
  readonly uid = `likeness/face-resnet/${nextUid++}`;
  private readonly trainable: Trainable;
  private readonly stem: ConvParams;
  private readonly blocks: Stage[];
  private readonly fc: tf.Tensor2D;
  private disposed = false;

  /** @internal use {@link loadFaceResNet}, {@link FaceResNet.fromPretrained} or {@link createFaceResNet}. */
  constructor(weights: tf.NamedTensorMap, source: string, options: { trainable?: Trainable } = {}) {
    const trainable = options.trainable ?? 'frozen';
    this.trainable = trainable;
    this.trainableStages = trainable === 'frozen' ? 0 : trainable === 'all' ? FACE_RESNET_STAGES.length : trainable;
    const firstTrainable = FACE_RESNET_STAGES.length - this.trainableStages;
    const hold = <T extends tf.Tensor>(t: T, name: string, variable: boolean): T => {
      if (!variable) return t;
      const v = tf.variable(t, true, `${this.uid}/${name}`) as unknown as T;
      t.dispose();
      return v;
    };
    const get = (name: string, rank: number): tf.Tensor => {
      const t = weights[name];
      if (!t) throw new WeightsFormatError({ source, message: `weight "${name}" is missing; is this face-api's face_recognition_model manifest?` });
      if (t.rank !== rank) throw new WeightsFormatError({ source, message: `weight "${name}" has shape [${t.shape}], expected rank ${rank}.` });
      return t;
    };
    const conv = (prefix: string, variable: boolean): ConvParams => {
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
      return { filter: hold(folded.filter, `${prefix}/conv/filters`, variable), bias: hold(folded.bias, `${prefix}/conv/bias`, variable) };
    };
    const made: tf.Tensor[] = [];
    try {
      this.stem = conv('conv32_down', trainable === 'all');
      made.push(this.stem.filter, this.stem.bias);
      this.blocks = FACE_RESNET_STAGES.map(([name, down], i) => {
        const stageTrainable = trainable !== 'frozen' && i >= firstTrainable;
        const blk = { name, conv1: conv(`${name}/conv1`, stageTrainable), conv2: conv(`${name}/conv2`, stageTrainable), down, trainable: stageTrainable };
        made.push(blk.conv1.filter, blk.conv1.bias, blk.conv2.filter, blk.conv2.bias);
        return blk;
      });
      const fc = get('fc', 2);
      if (fc.shape[0] !== 256 || fc.shape[1] !== 128) throw new WeightsFormatError({ source, message: `weight "fc" has shape [${fc.shape}], expected [256,128].` });
      this.fc = hold(tf.clone(fc) as tf.Tensor2D, 'fc', trainable !== 'frozen');
    } catch (e) {
      tf.dispose(made);
      throw e;
    }
  }

  /**
   * Makes a fine-tunable copy of a pretrained (or previously fine-tuned)
   * face ResNet: its last `trainableStages` residual stages and `fc` become
   * variables; the original is left as is.
   *
   * @example
   * ```ts
   * const ft = FaceResNet.fromPretrained(net, { trainableStages: 3 }); // encode: [N,150,150,3] → [N,128]
   * ```
   */
  static fromPretrained(net: FaceResNet, options: FaceResNetFineTuneOptions = {}): FaceResNet {
    const fn = 'FaceResNet.fromPretrained';
    const k = options.trainableStages ?? 3;
    if (!Number.isInteger(k) || k < 0 || k > FACE_RESNET_STAGES.length) {
      throw new InvalidArgumentError({ fn, argument: 'options.trainableStages', message: `expected an integer in [0, ${FACE_RESNET_STAGES.length}], got ${String(k)}.` });
    }
    if (net == null || typeof (net as Partial<FaceResNet>).exportWeights !== 'function') {
      throw new InvalidArgumentError({ fn, argument: 'net', message: 'expected a FaceResNet from loadFaceResNet().' });
    }
    const w = net.exportWeights();
    try {
      return new FaceResNet(w, 'FaceResNet', { trainable: k });
    } finally {
      tf.dispose(Object.values(w));
    }
  }

  /**
   * Every weight in face-api's layout (`conv32_down/conv/filters`, …,
   * `fc`), with the scale layers folded into the convolutions (so
   * `scale/weights` are ones and `scale/biases` zeros). New tensors the
   * caller owns; `loadFaceResNet` reads them back.
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
      for (const b of this.blocks) {
        put(`${b.name}/conv1`, b.conv1);
        put(`${b.name}/conv2`, b.conv2);
      }
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
    if (typeof this.trainable === 'number') return tf.tidy(() => this.encodeFeatures(this.frozenFeatures(images)));
    checkImages(images, 'FaceResNet.encode');
    return tf.tidy(() => tf.matMul(tf.mean(this.stages(this.stemPass(images), () => true), [1, 2]) as tf.Tensor2D, this.fc));
  }

  /**
   * Shape [h,w,c] of {@link FaceResNet.frozenFeatures}'s per-image output:
   * the input of the first trainable stage ([2,2,256] for a frozen net, the
   * normalised image [150,150,3] for one trained from scratch).
   */
  get featureShape(): [number, number, number] {
    if (this.trainable === 'all') return [150, 150, 3];
    // after i frozen stages (i = 0: the stem and max-pool)
    const rep = (n: number, s: [number, number, number]) => Array.from({ length: n }, () => s);
    const sizes = [...rep(4, [35, 35, 32]), ...rep(4, [17, 17, 64]), ...rep(3, [8, 8, 128]), ...rep(3, [4, 4, 256]), [2, 2, 256]] as [number, number, number][];
    return sizes[FACE_RESNET_STAGES.length - this.trainableStages]!;
  }

  /**
   * The frozen part: [N,150,150,3] RGB in [0,1] → the input of the first
   * trainable stage ({@link FaceResNet.featureShape}). Constant w.r.t. the
   * variables, so it can be computed once per (augmented) image and cached.
   * Runs `options.batchSize` images at a time, so caching a whole training
   * set holds one batch's activations at once, not N's.
   *
   * @param options.batchSize images per forward pass. @defaultValue `16`
   */
  frozenFeatures(images: tf.Tensor4D, options: { batchSize?: number } = {}): tf.Tensor4D {
    this.assertAlive('frozenFeatures');
    const fn = 'FaceResNet.frozenFeatures';
    checkImages(images, fn);
    const batchSize = options.batchSize ?? 16;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new InvalidArgumentError({ fn, argument: 'options.batchSize', message: `expected an integer ≥ 1, got ${String(batchSize)}.` });
    }
    const n = images.shape[0];
    if (n <= batchSize) return this.frozenBatch(images);
    const parts: tf.Tensor4D[] = [];
    try {
      for (let i = 0; i < n; i += batchSize) {
        parts.push(tf.tidy(() => this.frozenBatch(tf.slice(images, [i, 0, 0, 0], [Math.min(batchSize, n - i), -1, -1, -1]))));
      }
      return tf.concat(parts, 0);
    } finally {
      tf.dispose(parts);
    }
  }

  /** The trainable part: {@link FaceResNet.frozenFeatures} output [N,h,w,c] → [N,128]. */
  encodeFeatures(features: tf.Tensor4D): tf.Tensor2D {
    this.assertAlive('encodeFeatures');
    const fn = 'FaceResNet.encodeFeatures';
    assertTensor(features, fn, 'features');
    const [h, w, c] = this.featureShape;
    if (features.rank !== 4 || features.shape[1] !== h || features.shape[2] !== w || features.shape[3] !== c) {
      throw new ShapeError({ fn, argument: 'features', expected: `[N,${h},${w},${c}] from frozenFeatures()`, actual: features.shape });
    }
    return tf.tidy(() => {
      const x = this.trainable === 'all' ? this.stages(this.stemConv(features), () => true) : this.stages(features, (b) => b.trainable);
      return tf.matMul(tf.mean(x, [1, 2]) as tf.Tensor2D, this.fc);
    });
  }

  /**
   * The projection `fc` (the variable named `${uid}/fc`): the "head" that
   * may take a higher learning rate. Only a trainable net has it.
   */
  get headVariable(): tf.Variable {
    this.assertAlive('headVariable');
    if (this.trainable === 'frozen') {
      throw new InvalidArgumentError({ fn: 'FaceResNet.headVariable', argument: 'this', message: 'the net is frozen; make a fine-tunable copy with FaceResNet.fromPretrained(net, { trainableStages }).' });
    }
    return this.fc as unknown as tf.Variable;
  }

  /**
   * The variables training updates: none for a frozen net (the default of
   * {@link loadFaceResNet}); the last k stages' filters and biases and `fc`
   * for a fine-tunable one; all 29 convolutions and `fc` for one trained
   * from scratch.
   */
  trainableVariables(): tf.Variable[] {
    this.assertAlive('trainableVariables');
    if (this.trainable === 'frozen') return [];
    const v: tf.Tensor[] = this.trainable === 'all' ? [this.stem.filter, this.stem.bias] : [];
    for (const b of this.blocks) if (b.trainable) v.push(b.conv1.filter, b.conv1.bias, b.conv2.filter, b.conv2.bias);
    v.push(this.fc);
    return v as unknown as tf.Variable[];
  }

  /** Frees the weights. Calling it twice is harmless. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose([this.stem.filter, this.stem.bias, this.fc]);
    for (const b of this.blocks) tf.dispose([b.conv1.filter, b.conv1.bias, b.conv2.filter, b.conv2.bias]);
  }

  /** The frozen part of one batch (see frozenFeatures). */
  private frozenBatch(images: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => (this.trainable === 'all' ? normalise(images) : this.stages(this.stemPass(images), (b) => !b.trainable)));
  }

  /** Mean subtraction, the stem convolution and the max-pool. */
  private stemPass(images: tf.Tensor4D): tf.Tensor4D {
    return this.stemConv(normalise(images));
  }

  private stemConv(x: tf.Tensor4D): tf.Tensor4D {
    const y = tf.fused.conv2d({ x, filter: this.stem.filter, strides: 2, pad: 'valid', bias: this.stem.bias, activation: 'relu' }) as tf.Tensor4D;
    return tf.maxPool(y, 3, 2, 'valid');
  }

  /** Runs the residual stages that `which` selects, in order. */
  private stages(x: tf.Tensor4D, which: (b: Stage) => boolean): tf.Tensor4D {
    for (const blk of this.blocks) if (which(blk)) x = residual(x, blk);
    return x;
  }

  private assertAlive(method: string): void {
    if (this.disposed) throw new InvalidArgumentError({ fn: `FaceResNet.${method}`, argument: 'this', message: 'the encoder was disposed; load it again with loadFaceResNet().' });
  }
}

/**
 * The fine-tunable face ResNet is now {@link FaceResNet} itself:
 * `FineTunableFaceResNet.fromPretrained(net, { trainableStages })` is
 * `FaceResNet.fromPretrained(net, { trainableStages })`.
 *
 * @deprecated use {@link FaceResNet} (the same class).
 */
export const FineTunableFaceResNet = FaceResNet;
/** @deprecated use {@link FaceResNet} (the same class). */
export type FineTunableFaceResNet = FaceResNet;
/** @deprecated use {@link FaceResNetFineTuneOptions}. */
export type FineTunableFaceResNetOptions = FaceResNetFineTuneOptions;

function checkImages(images: tf.Tensor4D, fn: string): void {
  assertTensor(images, fn, 'images');
  if (images.rank !== 4 || images.shape[1] !== 150 || images.shape[2] !== 150 || images.shape[3] !== 3) {
    throw new ShapeError({
      fn, argument: 'images', expected: '[N,150,150,3] RGB in [0,1]', actual: images.shape,
      hint: images.rank === 4 && images.shape[3] === 1
        ? 'Convert greyscale to RGB with tf.tile(images, [1,1,1,3]).'
        : 'Crop the face and resize it to 150×150 first (alignFace or tf.image.resizeBilinear).',
    });
  }
}

/** [0,1] RGB → dlib's input: (255·x − mean)/255. */
function normalise(images: tf.Tensor4D): tf.Tensor4D {
  const [r, g, b] = FACE_RESNET_MEAN_RGB;
  return tf.div(tf.sub(tf.mul(tf.cast(images, 'float32'), 255), tf.tensor1d([r, g, b])), 255) as tf.Tensor4D;
}

function residual(x: tf.Tensor4D, blk: { conv1: ConvParams; conv2: ConvParams; down: boolean }): tf.Tensor4D {
  if (!blk.down) {
    const h = tf.fused.conv2d({ x, filter: blk.conv1.filter, strides: 1, pad: 'same', bias: blk.conv1.bias, activation: 'relu' });
    const o = tf.fused.conv2d({ x: h, filter: blk.conv2.filter, strides: 1, pad: 'same', bias: blk.conv2.bias });
    return tf.relu(tf.add(o, x)) as tf.Tensor4D;
  }
  const h = tf.fused.conv2d({ x, filter: blk.conv1.filter, strides: 2, pad: 'valid', bias: blk.conv1.bias, activation: 'relu' });
  let o = tf.fused.conv2d({ x: h, filter: blk.conv2.filter, strides: 1, pad: 'same', bias: blk.conv2.bias });
  let pooled = tf.avgPool(x, 2, 2, 'valid') as tf.Tensor4D;
  const dh = pooled.shape[1] - o.shape[1], dw = pooled.shape[2] - o.shape[2];
  if (dh > 0 || dw > 0) o = tf.pad(o, [[0, 0], [0, Math.max(0, dh)], [0, Math.max(0, dw)], [0, 0]]);
  const dc = o.shape[3] - pooled.shape[3];
  if (dc > 0) pooled = tf.pad(pooled, [[0, 0], [0, 0], [0, 0], [0, dc]]);
  return tf.relu(tf.add(pooled, o)) as tf.Tensor4D;
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
    return new FaceResNet(named, source, { trainable: options.trainable === true ? 'all' : 'frozen' });
  } finally {
    tf.dispose(Object.values(named));
  }
}

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
    for (const [name] of FACE_RESNET_STAGES) {
      const cout = Number(/conv(\d+)/.exec(name)![1]);
      conv(`${name}/conv1`, 3, cin, cout);
      conv(`${name}/conv2`, 3, cout, cout);
      cin = cout;
    }
    w.fc = tf.randomUniform([256, 128], -Math.sqrt(6 / 384), Math.sqrt(6 / 384), 'float32', seed());
    return w;
  });
  try {
    return new FaceResNet(weights, 'createFaceResNet', { trainable: 'all' });
  } finally {
    tf.dispose(Object.values(weights));
  }
}

/**
 * Saves a face ResNet's weights — pretrained, trained from scratch or
 * fine-tuned (`FaceResNet.fromPretrained`) — as float32 in face-api's manifest
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
    throw new InvalidArgumentError({ fn: 'saveFaceResNet', argument: 'net', message: 'expected a FaceResNet.' });
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
