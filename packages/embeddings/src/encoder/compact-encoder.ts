import * as tf from '@tensorflow/tfjs-core';
import { assertNumber, assertTensor, InvalidArgumentError, ShapeError } from '@likeness/backends';
import type { Encoder } from '../encoder';
import { batchNormTraining } from '../internal/batch-norm-training';
import { glorotUniform, heNormal } from '../internal/seeded-random';

/** Options of {@link createCompactEncoder}. */
export interface CompactEncoderOptions {
  /** [height, width, channels] of the input images, e.g. ORL's `[112, 92, 1]`. Required. */
  inputShape: readonly [number, number, number];
  /** D, the embedding length. @defaultValue `128` */
  embeddingSize?: number;
  /** Output channels of the four conv blocks (any number ≥ 1 of blocks). @defaultValue `[32, 64, 128, 128]` */
  channels?: readonly number[];
  /** L2-normalise the embeddings. @defaultValue `true` */
  normalize?: boolean;
  /** Seed of the weight initialisation (same seed → same weights). @defaultValue random */
  seed?: number;
  /** Moving-average momentum of the batch-norm statistics. @defaultValue `0.9` */
  momentum?: number;
  /** Batch-norm variance epsilon. @defaultValue `1e-3` */
  epsilon?: number;
}

/** The architecture of a {@link CompactEncoder}, enough to rebuild it. */
export interface CompactEncoderConfig {
  /** [height, width, channels] of the input images. */
  readonly inputShape: readonly [number, number, number];
  /** D, the length of the embeddings. */
  readonly embeddingSize: number;
  /** Output channels of each conv block, in order. */
  readonly channels: readonly number[];
  /** Whether the embeddings are L2-normalised. */
  readonly normalize: boolean;
  /** Moving-average momentum of the batch-norm statistics. */
  readonly momentum: number;
  /** Batch-norm variance epsilon. */
  readonly epsilon: number;
}

interface Block {
  kernel: tf.Variable; // [3,3,cin,cout]
  gamma: tf.Variable; // [cout]
  beta: tf.Variable; // [cout]
  movingMean: tf.Variable; // [cout], not trainable
  movingVariance: tf.Variable; // [cout], not trainable
}

/**
 * The compact ConvNet for small face crops: n × (conv3×3 → batch norm →
 * ReLU → 2×2 max-pool), global average pool, linear → D, L2-normalised.
 * Built from tfjs-core ops and `tf.variable`s; holds its variables until
 * {@link CompactEncoder.dispose}.
 */
export class CompactEncoder implements Encoder {
  readonly inputShape: readonly [number, number, number];
  readonly embeddingSize: number;
  readonly normalized: boolean;
  /** The architecture it was built with (enough to rebuild it). */
  readonly config: CompactEncoderConfig;
  private readonly blocks: Block[];
  private readonly denseKernel: tf.Variable;
  private readonly denseBias: tf.Variable;
  private disposed = false;

  /** @internal use {@link createCompactEncoder} or `loadCompactEncoder`. */
  constructor(config: CompactEncoderConfig, init: (name: string, shape: number[]) => tf.Tensor) {
    this.config = config;
    this.inputShape = config.inputShape;
    this.embeddingSize = config.embeddingSize;
    this.normalized = config.normalize;
    let cin = config.inputShape[2];
    this.blocks = config.channels.map((cout, i) => {
      const v = (name: string, shape: number[], trainable: boolean) => {
        return toVariable(init(`block${i}/${name}`, shape), shape, trainable, `likeness/compact/${uid}/block${i}/${name}`);
      };
      const b: Block = {
        kernel: v('conv/kernel', [3, 3, cin, cout], true),
        gamma: v('bn/gamma', [cout], true),
        beta: v('bn/beta', [cout], true),
        movingMean: v('bn/moving_mean', [cout], false),
        movingVariance: v('bn/moving_variance', [cout], false),
      };
      cin = cout;
      return b;
    });
    this.denseKernel = toVariable(init('dense/kernel', [cin, config.embeddingSize]), [cin, config.embeddingSize], true, `likeness/compact/${uid}/dense/kernel`);
    this.denseBias = toVariable(init('dense/bias', [config.embeddingSize]), [config.embeddingSize], true, `likeness/compact/${uid}/dense/bias`);
    uid++;
  }

  /**
   * Embeds a batch of images [N,H,W,C] (float, any range; [0,1] advised)
   * → [N,D]. `training: true` normalises with batch statistics (N ≥ 2) and
   * updates the moving averages.
   */
  encode(images: tf.Tensor4D, options: { training?: boolean } = {}): tf.Tensor2D {
    this.assertAlive('encode');
    const fn = 'CompactEncoder.encode';
    assertTensor(images, fn, 'images');
    const [h, w, c] = this.inputShape;
    if (images.rank !== 4 || images.shape[1] !== h || images.shape[2] !== w || images.shape[3] !== c) {
      throw new ShapeError({
        fn, argument: 'images', expected: `[N,${h},${w},${c}] (NHWC)`, actual: images.shape,
        hint: images.rank === 3 ? 'Add a batch dimension with tf.expandDims(image, 0).' : `Resize/convert the images to ${h}×${w} with ${c} channel(s) first.`,
      });
    }
    const training = options.training === true;
    if (training && images.shape[0] < 2) {
      throw new InvalidArgumentError({ fn, argument: 'images', message: 'training needs a batch of at least 2 images (batch-norm statistics).' });
    }
    const { momentum, epsilon } = this.config;
    return tf.tidy(() => {
      let x: tf.Tensor4D = tf.cast(images, 'float32');
      for (const b of this.blocks) {
        x = tf.conv2d(x, b.kernel as tf.Tensor4D, 1, 'same');
        if (training) {
          const { y, mean, variance } = batchNormTraining(x, b.gamma as tf.Tensor1D, b.beta as tf.Tensor1D, epsilon);
          const n = x.shape[0] * x.shape[1] * x.shape[2];
          const unbiased = tf.mul(variance, n / Math.max(1, n - 1));
          b.movingMean.assign(tf.add(tf.mul(b.movingMean, momentum), tf.mul(mean, 1 - momentum)));
          b.movingVariance.assign(tf.add(tf.mul(b.movingVariance, momentum), tf.mul(unbiased, 1 - momentum)));
          x = y;
        } else {
          x = tf.batchNorm(x, b.movingMean, b.movingVariance, b.beta, b.gamma, epsilon) as tf.Tensor4D;
        }
        // ReLU after the pooling: max commutes with the monotone ReLU, so outputs and gradients are
        // those of conv → BN → ReLU → pool, with the ReLU and its gradient on a quarter of the values.
        x = tf.maxPool(x, 2, 2, 'valid');
        x = tf.relu(x);
      }
      const pooled = tf.mean(x, [1, 2]) as tf.Tensor2D;
      let e = tf.add(tf.matMul(pooled, this.denseKernel as tf.Tensor2D), this.denseBias) as tf.Tensor2D;
      if (this.normalized) {
        const norm = tf.sqrt(tf.maximum(tf.sum(tf.square(e), 1, true), 1e-12));
        e = tf.div(e, norm);
      }
      return e;
    });
  }

  /** Conv kernels, batch-norm γ/β and the dense layer (moving statistics excluded). */
  trainableVariables(): tf.Variable[] {
    this.assertAlive('trainableVariables');
    return [...this.blocks.flatMap((b) => [b.kernel, b.gamma, b.beta]), this.denseKernel, this.denseBias];
  }

  /** The batch-norm moving statistics (`block0/bn/moving_mean`, `block0/bn/moving_variance`, …), updated by `encode(x, { training: true })`, never by an optimiser. */
  stateVariables(): {
    /** Stable name, e.g. `block0/bn/moving_mean`. */
    name: string;
    /** The encoder's own variable: do not dispose it. */
    variable: tf.Variable;
  }[] {
    this.assertAlive('stateVariables');
    return this.blocks.flatMap((b, i) => [
      { name: `block${i}/bn/moving_mean`, variable: b.movingMean },
      { name: `block${i}/bn/moving_variance`, variable: b.movingVariance },
    ]);
  }

  /**
   * Every weight by its stable name (`block0/conv/kernel`, …,
   * `dense/bias`), moving statistics included. The tensors are the
   * encoder's own: do not dispose them.
   */
  namedWeights(): {
    /** Stable name, e.g. `block0/conv/kernel`. */
    name: string;
    /** The encoder's own tensor: do not dispose it. */
    tensor: tf.Tensor;
  }[] {
    this.assertAlive('namedWeights');
    const out: { name: string; tensor: tf.Tensor }[] = [];
    this.blocks.forEach((b, i) => {
      out.push(
        { name: `block${i}/conv/kernel`, tensor: b.kernel },
        { name: `block${i}/bn/gamma`, tensor: b.gamma },
        { name: `block${i}/bn/beta`, tensor: b.beta },
        { name: `block${i}/bn/moving_mean`, tensor: b.movingMean },
        { name: `block${i}/bn/moving_variance`, tensor: b.movingVariance },
      );
    });
    out.push({ name: 'dense/kernel', tensor: this.denseKernel }, { name: 'dense/bias', tensor: this.denseBias });
    return out;
  }

  /** Number of trainable parameters. */
  countParameters(): number {
    return this.trainableVariables().reduce((a, v) => a + v.size, 0);
  }

  /** Frees every variable. Calling it twice is harmless. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const b of this.blocks) tf.dispose([b.kernel, b.gamma, b.beta, b.movingMean, b.movingVariance]);
    tf.dispose([this.denseKernel, this.denseBias]);
  }

  /** True once {@link CompactEncoder.dispose} has freed the weights; the encoder can no longer be used. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  private assertAlive(method: string): void {
    if (this.disposed) {
      throw new InvalidArgumentError({ fn: `CompactEncoder.${method}`, argument: 'this', message: 'the encoder was disposed; create or load a new one.' });
    }
  }
}

let uid = 0;

/** @internal Every weight name and shape of a compact encoder with this config. */
export function compactWeightShapes(config: CompactEncoderConfig): { name: string; shape: number[] }[] {
  const out: { name: string; shape: number[] }[] = [];
  let cin = config.inputShape[2];
  config.channels.forEach((cout, i) => {
    out.push(
      { name: `block${i}/conv/kernel`, shape: [3, 3, cin, cout] },
      ...['gamma', 'beta', 'moving_mean', 'moving_variance'].map((n) => ({ name: `block${i}/bn/${n}`, shape: [cout] })),
    );
    cin = cout;
  });
  out.push({ name: 'dense/kernel', shape: [cin, config.embeddingSize] }, { name: 'dense/bias', shape: [config.embeddingSize] });
  return out;
}

function toVariable(t: tf.Tensor, shape: number[], trainable: boolean, name: string): tf.Variable {
  const v = tf.tidy(() => tf.variable(tf.reshape(tf.cast(t, 'float32'), shape), trainable, name));
  t.dispose();
  return v;
}

/** @internal Validates options into a config. */
export function compactEncoderConfig(options: CompactEncoderOptions, fn: string): CompactEncoderConfig {
  if (options == null || typeof options !== 'object') {
    throw new InvalidArgumentError({ fn, argument: 'options', message: 'expected an options object with at least `inputShape`, e.g. { inputShape: [112, 92, 1] }.' });
  }
  const s = options.inputShape;
  if (!Array.isArray(s) || s.length !== 3 || !s.every((v) => Number.isInteger(v) && v > 0)) {
    throw new InvalidArgumentError({ fn, argument: 'options.inputShape', message: `expected [height, width, channels] of positive integers such as [112, 92, 1], got ${JSON.stringify(s)}.` });
  }
  const channels = options.channels ?? [32, 64, 128, 128];
  if (!Array.isArray(channels) || channels.length === 0 || !channels.every((v) => Number.isInteger(v) && v > 0)) {
    throw new InvalidArgumentError({ fn, argument: 'options.channels', message: `expected a non-empty array of positive integers such as [32, 64, 128, 128], got ${JSON.stringify(channels)}.` });
  }
  let h = s[0];
  let w = s[1];
  for (let i = 0; i < channels.length; i++) {
    h = Math.floor(h / 2);
    w = Math.floor(w / 2);
  }
  if (h < 1 || w < 1) {
    throw new InvalidArgumentError({ fn, argument: 'options.inputShape', message: `${s[0]}×${s[1]} is too small for ${channels.length} 2×2 poolings; use at least ${2 ** channels.length} pixels per side or fewer blocks.` });
  }
  const embeddingSize = options.embeddingSize ?? 128;
  assertNumber(embeddingSize, fn, 'options.embeddingSize', { integer: true, min: 1 });
  const momentum = options.momentum ?? 0.9;
  assertNumber(momentum, fn, 'options.momentum', { min: 0, max: 1 });
  const epsilon = options.epsilon ?? 1e-3;
  assertNumber(epsilon, fn, 'options.epsilon', { min: 0 });
  if (options.seed !== undefined) assertNumber(options.seed, fn, 'options.seed', { integer: true });
  return { inputShape: [s[0], s[1], s[2]], embeddingSize, channels: [...channels], normalize: options.normalize ?? true, momentum, epsilon };
}

/**
 * Creates the compact trainable ConvNet encoder (4 × conv3×3-BN-ReLU-
 * maxpool, global average pool, linear → 128, L2-normalised by default;
 * 257 k parameters for ORL's 112×92×1).
 *
 * @example
 * ```ts
 * const enc = createCompactEncoder({ inputShape: [112, 92, 1], seed: 1 });
 * const e = enc.encode(images);                       // images [N,112,92,1] → e [N,128]
 * const eTrain = enc.encode(batch, { training: true }); // batch stats, updates moving averages
 * enc.dispose();
 * ```
 */
export function createCompactEncoder(options: CompactEncoderOptions): CompactEncoder {
  const config = compactEncoderConfig(options, 'createCompactEncoder');
  let k = 0;
  const seedOf = () => (options.seed === undefined ? undefined : options.seed * 1000 + k++);
  return new CompactEncoder(config, (name, shape) => {
    if (name.endsWith('conv/kernel')) return heNormal(shape, shape[0]! * shape[1]! * shape[2]!, seedOf());
    if (name === 'dense/kernel') return glorotUniform(shape, shape[0]!, shape[1]!, seedOf());
    if (name.endsWith('gamma') || name.endsWith('moving_variance')) return tf.ones(shape);
    return tf.zeros(shape);
  });
}
