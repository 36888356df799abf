import * as tf from '@tensorflow/tfjs-core';
import { assertTensor, InvalidArgumentError, ShapeError } from '@likeness/backends';
import type { Encoder } from '../encoder';
import { WeightsFormatError } from '../errors/weights-format-error';
import { FACE_RESNET_MEAN_RGB, type FaceResNet } from './face-resnet';

/** The 14 residual stages of the dlib face ResNet, input to output: [weight prefix, down-sampling?]. */
export const FACE_RESNET_STAGES: readonly (readonly [string, boolean])[] = Object.freeze([
  ['conv32_1', false], ['conv32_2', false], ['conv32_3', false],
  ['conv64_down', true], ['conv64_1', false], ['conv64_2', false], ['conv64_3', false],
  ['conv128_down', true], ['conv128_1', false], ['conv128_2', false],
  ['conv256_down', true], ['conv256_1', false], ['conv256_2', false], ['conv256_down_out', true],
] as const);

/** Options of {@link FineTunableFaceResNet.fromPretrained}. */
export interface FineTunableFaceResNetOptions {
  /**
   * How many of the last residual stages (0 … 14) become trainable; the
   * final 256→128 projection (`fc`) is always trainable, everything before
   * them stays frozen.
   * @defaultValue `3` (conv256_1, conv256_2, conv256_down_out + fc)
   */
  trainableStages?: number;
}

interface Conv { filter: tf.Tensor4D; bias: tf.Tensor1D }

let nextUid = 0;

/**
 * The pretrained dlib face ResNet with its last k residual stages and its
 * projection as `tf.Variable`s, for fine-tuning on one's own people. The
 * forward pass is the same arithmetic as {@link FaceResNet} (no batch
 * statistics: it does not depend on the batch), split in two so that the
 * frozen part can be run once per image and cached:
 * `encode(x) = encodeFeatures(frozenFeatures(x))`.
 * {@link FineTunableFaceResNet.exportWeights} gives face-api-named weights
 * that `loadFaceResNet` loads exactly like the pretrained ones.
 *
 * @example
 * ```ts
 * const ft = FineTunableFaceResNet.fromPretrained(await loadFaceResNetFromFaceApi(), { trainableStages: 3 });
 * const f = ft.frozenFeatures(faces);  // [N,150,150,3] → [N,4,4,256] (cache it)
 * const e = ft.encodeFeatures(f);      // → [N,128], differentiable w.r.t. ft.trainableVariables()
 * ```
 */
export class FineTunableFaceResNet implements Encoder {
  readonly inputShape = [150, 150, 3] as const;
  readonly embeddingSize = 128;
  readonly normalized = false;
  /** k, the number of trainable residual stages. */
  readonly trainableStages: number;
  private readonly stem: Conv;
  private readonly blocks: { name: string; conv1: Conv; conv2: Conv; down: boolean; trainable: boolean }[];
  private readonly fc: tf.Variable;
  private disposed = false;
  /** Prefix of the variables' names (unique per instance, tfjs names are global). */
  readonly uid = `likeness/fine-tunable-face-resnet/${nextUid++}`;

  /** @internal use {@link FineTunableFaceResNet.fromPretrained}. */
  constructor(weights: tf.NamedTensorMap, trainableStages: number, source = 'weights') {
    const get = (name: string, rank: number): tf.Tensor => {
      const t = weights[name];
      if (!t || t.rank !== rank) throw new WeightsFormatError({ source, message: `weight "${name}" is missing or has the wrong rank; expected face-api's face_recognition_model layout.` });
      return t;
    };
    const first = FACE_RESNET_STAGES.length - trainableStages;
    const made: tf.Tensor[] = [];
    const conv = (prefix: string, trainable: boolean): Conv => {
      const w = get(`${prefix}/conv/filters`, 4), b = get(`${prefix}/conv/bias`, 1);
      const s = get(`${prefix}/scale/weights`, 1), beta = get(`${prefix}/scale/biases`, 1);
      const folded = tf.tidy(() => ({ filter: tf.mul(w, s) as tf.Tensor4D, bias: tf.add(tf.mul(b, s), beta) as tf.Tensor1D }));
      if (!trainable) { made.push(folded.filter, folded.bias); return folded; }
      const c = { filter: tf.variable(folded.filter, true, `${this.uid}/${prefix}/conv/filters`) as unknown as tf.Tensor4D, bias: tf.variable(folded.bias, true, `${this.uid}/${prefix}/conv/bias`) as unknown as tf.Tensor1D };
      tf.dispose([folded.filter, folded.bias]);
      made.push(c.filter, c.bias);
      return c;
    };
    try {
      this.stem = conv('conv32_down', false);
      this.blocks = FACE_RESNET_STAGES.map(([name, down], i) => ({ name, conv1: conv(`${name}/conv1`, i >= first), conv2: conv(`${name}/conv2`, i >= first), down, trainable: i >= first }));
      this.fc = tf.variable(get('fc', 2), true, `${this.uid}/fc`);
    } catch (e) {
      tf.dispose(made);
      throw e;
    }
    this.trainableStages = trainableStages;
  }

  /**
   * Makes a fine-tunable copy of a pretrained (or previously fine-tuned)
   * {@link FaceResNet}; the original is left as is.
   *
   * @example
   * ```ts
   * const ft = FineTunableFaceResNet.fromPretrained(net, { trainableStages: 3 }); // encode: [N,150,150,3] → [N,128]
   * ```
   */
  static fromPretrained(net: FaceResNet, options: FineTunableFaceResNetOptions = {}): FineTunableFaceResNet {
    const k = options.trainableStages ?? 3;
    if (!Number.isInteger(k) || k < 0 || k > FACE_RESNET_STAGES.length) {
      throw new InvalidArgumentError({ fn: 'FineTunableFaceResNet.fromPretrained', argument: 'options.trainableStages', message: `expected an integer in [0, ${FACE_RESNET_STAGES.length}], got ${String(k)}.` });
    }
    if (net == null || typeof (net as Partial<FaceResNet>).exportWeights !== 'function') {
      throw new InvalidArgumentError({ fn: 'FineTunableFaceResNet.fromPretrained', argument: 'net', message: 'expected a FaceResNet from loadFaceResNet().' });
    }
    const w = net.exportWeights();
    try {
      return new FineTunableFaceResNet(w, k, 'FaceResNet');
    } finally {
      tf.dispose(Object.values(w));
    }
  }

  /** Shape [h,w,c] of {@link frozenFeatures}'s per-image output. */
  get featureShape(): [number, number, number] {
    // after i frozen stages (i = 0: the stem and max-pool)
    const rep = (n: number, s: [number, number, number]) => Array.from({ length: n }, () => s);
    const sizes = [...rep(4, [35, 35, 32]), ...rep(4, [17, 17, 64]), ...rep(3, [8, 8, 128]), ...rep(3, [4, 4, 256]), [2, 2, 256]] as [number, number, number][];
    return sizes[FACE_RESNET_STAGES.length - this.trainableStages]!;
  }

  /**
   * The frozen part: [N,150,150,3] RGB in [0,1] → the input of the first
   * trainable stage ({@link featureShape}). Constant w.r.t. the variables,
   * so it can be computed once per (augmented) image and cached. Runs
   * `options.batchSize` images at a time, so caching a whole training set
   * holds one batch's activations at once, not N's.
   *
   * @param options.batchSize images per forward pass. @defaultValue `16`
   */
  frozenFeatures(images: tf.Tensor4D, options: { batchSize?: number } = {}): tf.Tensor4D {
    this.assertAlive('frozenFeatures');
    const fn = 'FineTunableFaceResNet.frozenFeatures';
    assertTensor(images, fn, 'images');
    if (images.rank !== 4 || images.shape[1] !== 150 || images.shape[2] !== 150 || images.shape[3] !== 3) {
      throw new ShapeError({ fn, argument: 'images', expected: '[N,150,150,3] RGB in [0,1]', actual: images.shape, hint: 'Crop and align faces to 150×150 first (alignFace).' });
    }
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

  private frozenBatch(images: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [r, g, b] = FACE_RESNET_MEAN_RGB;
      let x = tf.div(tf.sub(tf.mul(tf.cast(images, 'float32'), 255), tf.tensor1d([r, g, b])), 255) as tf.Tensor4D;
      x = tf.fused.conv2d({ x, filter: this.stem.filter, strides: 2, pad: 'valid', bias: this.stem.bias, activation: 'relu' }) as tf.Tensor4D;
      x = tf.maxPool(x, 3, 2, 'valid');
      for (const blk of this.blocks) if (!blk.trainable) x = residual(x, blk);
      return x;
    });
  }

  /** The trainable part: {@link frozenFeatures} output [N,h,w,c] → [N,128]. */
  encodeFeatures(features: tf.Tensor4D): tf.Tensor2D {
    this.assertAlive('encodeFeatures');
    const fn = 'FineTunableFaceResNet.encodeFeatures';
    assertTensor(features, fn, 'features');
    const [h, w, c] = this.featureShape;
    if (features.rank !== 4 || features.shape[1] !== h || features.shape[2] !== w || features.shape[3] !== c) {
      throw new ShapeError({ fn, argument: 'features', expected: `[N,${h},${w},${c}] from frozenFeatures()`, actual: features.shape });
    }
    return tf.tidy(() => {
      let x = features;
      for (const blk of this.blocks) if (blk.trainable) x = residual(x, blk);
      return tf.matMul(tf.mean(x, [1, 2]) as tf.Tensor2D, this.fc);
    });
  }

  /** Descriptors: [N,150,150,3] RGB in [0,1] → [N,128] (same as FaceResNet.encode). */
  encode(images: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => this.encodeFeatures(this.frozenFeatures(images)));
  }

  /** The projection `fc` (the variable named `${uid}/fc`): the "head" that may take a higher learning rate. */
  get headVariable(): tf.Variable {
    this.assertAlive('headVariable');
    return this.fc;
  }

  /** The last k stages' filters and biases, and fc. */
  trainableVariables(): tf.Variable[] {
    this.assertAlive('trainableVariables');
    const v: tf.Variable[] = [];
    for (const b of this.blocks) if (b.trainable) v.push(b.conv1.filter as unknown as tf.Variable, b.conv1.bias as unknown as tf.Variable, b.conv2.filter as unknown as tf.Variable, b.conv2.bias as unknown as tf.Variable);
    v.push(this.fc);
    return v;
  }

  /** Copies of all weights in face-api's naming (scale folded: weights 1, biases 0); `loadFaceResNet` reads them back. */
  exportWeights(): tf.NamedTensorMap {
    this.assertAlive('exportWeights');
    return tf.tidy(() => {
      const out: tf.NamedTensorMap = {};
      const put = (prefix: string, p: Conv) => {
        out[`${prefix}/conv/filters`] = tf.clone(p.filter);
        out[`${prefix}/conv/bias`] = tf.clone(p.bias);
        out[`${prefix}/scale/weights`] = tf.ones([p.bias.shape[0]]);
        out[`${prefix}/scale/biases`] = tf.zeros([p.bias.shape[0]]);
      };
      put('conv32_down', this.stem);
      for (const b of this.blocks) { put(`${b.name}/conv1`, b.conv1); put(`${b.name}/conv2`, b.conv2); }
      out['fc'] = tf.clone(this.fc);
      return out;
    });
  }

  /** Frees every tensor and variable. Calling it twice is harmless. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose([this.stem.filter, this.stem.bias, this.fc]);
    for (const b of this.blocks) tf.dispose([b.conv1.filter, b.conv1.bias, b.conv2.filter, b.conv2.bias]);
  }

  private assertAlive(method: string): void {
    if (this.disposed) throw new InvalidArgumentError({ fn: `FineTunableFaceResNet.${method}`, argument: 'this', message: 'the encoder was disposed; create it again.' });
  }
}

function residual(x: tf.Tensor4D, blk: { conv1: Conv; conv2: Conv; down: boolean }): tf.Tensor4D {
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
