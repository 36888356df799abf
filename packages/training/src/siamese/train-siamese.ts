import * as tf from '@tensorflow/tfjs-core';
import { assertNumber, assertTensor, InvalidArgumentError, ShapeError } from '@likeness/backends';
import { type Encoder, assertEmbeddings, checkIdentityLabels } from '@likeness/embeddings';
import { DegenerateBatchError } from '@likeness/triplet';
import { createOptimizer, setLearningRate, type OptimizerChoice } from '../trainer/optimizer';
import { learningRateAt, type LearningRateSchedule } from '../trainer/schedule';
import { binaryCrossEntropyWithLogits, createBalancedPairSampler, type SiameseObjectiveOptions, type VerificationHead } from '@likeness/siamese-binary';
import { yieldToEventLoop } from '../internal/yield-to-event-loop';

/** One line of progress. */
export interface SiameseProgress {
  /** Steps completed (1-based). */
  step: number;
  /** Steps the run takes in all. */
  totalSteps: number;
  /** Binary cross-entropy of the step's batch. */
  loss: number;
  /** Fraction of the batch's pairs on the right side of ŷ = 0.5. */
  accuracy: number;
  /** Learning rate of the step (after the schedule). */
  learningRate: number;
  /** Milliseconds since training started. */
  elapsedMs: number;
}

/** The training options of `train` with a siamese objective (the pair options are the objective's: `siameseObjective(head, { batchSize, positiveFraction })`). */
export interface SiameseTrainingOptions {
  /** Optimisation steps. @defaultValue `500` (head-only), `300` (end-to-end) */
  steps?: number;
  /** `'adam'`, `'sgd'`, `'momentum'`, `'rmsprop'` or a `tf.Optimizer` (yours: not disposed). @defaultValue `'adam'` */
  optimizer?: OptimizerChoice;
  /** Base learning rate (scaled by `schedule`). @defaultValue `1e-2` (head-only), `1e-3` (end-to-end) */
  learningRate?: number;
  /** Learning-rate schedule over the steps. @defaultValue `'cosine'` */
  schedule?: LearningRateSchedule;
  /** Seeds the pair sampler. @defaultValue `0` */
  seed?: number;
  /** End-to-end only: batch augmentation (returns a new tensor). */
  augment?: (images: tf.Tensor4D, step: number) => tf.Tensor4D;
  /** Called after each step (awaited). */
  onProgress?: (p: SiameseProgress) => void | Promise<void>;
}

/** Options of {@link trainHead}: the training options and the pair options of `SiameseObjectiveOptions`. */
export interface TrainSiameseOptions extends SiameseTrainingOptions, SiameseObjectiveOptions {
  /** Pairs per step. @defaultValue `64` (head-only), `32` (end-to-end) */
  batchSize?: number;
}

/** What training did. */
export interface SiameseTrainResult {
  /** Steps completed. */
  steps: number;
  /** Binary cross-entropy of every step, in order. */
  losses: number[];
}

interface LoopArgs {
  vars: tf.Variable[];
  steps: number;
  baseLr: number;
  options: TrainSiameseOptions;
  sampler: ReturnType<typeof createBalancedPairSampler>;
  /** Returns logits [B] for the batch's pairs (inside the gradient tape). */
  logits: (left: Int32Array, right: Int32Array, step: number) => tf.Tensor1D;
}

async function loop(fn: string, a: LoopArgs): Promise<SiameseTrainResult> {
  const optimizer = createOptimizer(a.options.optimizer ?? 'adam', a.baseLr);
  const own = !(a.options.optimizer != null && typeof a.options.optimizer === 'object');
  const losses: number[] = [];
  const t0 = Date.now();
  try {
    for (let step = 0; step < a.steps; step++) {
      await yieldToEventLoop();
      const lr = learningRateAt(a.options.schedule ?? 'cosine', step, a.steps, a.baseLr);
      setLearningRate(optimizer, lr);
      const { left, right, same } = a.sampler.next();
      let correct = 0;
      const { value, grads } = tf.variableGrads(() => {
        const z = a.logits(left, right, step);
        const zv = z.dataSync();
        for (let i = 0; i < zv.length; i++) if ((zv[i]! > 0 ? 1 : 0) === same[i]) correct++;
        return binaryCrossEntropyWithLogits(z, same) as tf.Scalar;
      }, a.vars);
      const loss = (await value.data())[0]!;
      value.dispose();
      const list = a.vars.map((v) => grads[v.name] ?? tf.zerosLike(v));
      const finite = tf.tidy(() => tf.all(tf.stack(list.map((g) => tf.all(tf.isFinite(g))))).dataSync()[0] === 1);
      if (!Number.isFinite(loss) || !finite) {
        tf.dispose(list);
        throw new DegenerateBatchError({ reason: 'non-finite', step, message: `${fn}: the loss or a gradient became NaN/∞ (loss ${loss}, learning rate ${lr}); the update was not applied. Lower the learning rate or check the inputs for NaN.` });
      }
      optimizer.applyGradients(a.vars.map((v, i) => ({ name: v.name, tensor: list[i]! })));
      tf.dispose(list);
      losses.push(loss);
      if (a.options.onProgress) await a.options.onProgress({ step: step + 1, totalSteps: a.steps, loss, accuracy: correct / left.length, learningRate: lr, elapsedMs: Date.now() - t0 });
    }
  } finally {
    if (own) optimizer.dispose();
  }
  return { steps: a.steps, losses };
}

function common(fn: string, options: TrainSiameseOptions, defaults: { steps: number; batchSize: number; lr: number }) {
  const steps = options.steps ?? defaults.steps;
  assertNumber(steps, fn, 'options.steps', { integer: true, min: 0 });
  const batchSize = options.batchSize ?? defaults.batchSize;
  assertNumber(batchSize, fn, 'options.batchSize', { integer: true, min: 1 });
  const lr = options.learningRate ?? defaults.lr;
  assertNumber(lr, fn, 'options.learningRate', { min: 0 });
  return { steps, batchSize, lr };
}

/**
 * Head-only training over a frozen encoder: the database is embedded once
 * (`embeddings`, e.g. from `embedImages` of `@likeness/siamese-binary`) and only w, b learn, with
 * binary cross-entropy on balanced same/different pairs. Fast: no encoder
 * pass per step.
 *
 * @example
 * ```ts
 * const db = embedImages(encoder, images);                  // [N,128]
 * await trainHead(head, db, labels, { steps: 500 });        // labels [N]
 * ```
 */
export async function trainHead(head: VerificationHead, embeddings: tf.Tensor2D, labels: ArrayLike<number>, options: TrainSiameseOptions = {}): Promise<SiameseTrainResult> {
  const fn = 'trainHead';
  assertEmbeddings(embeddings, fn, 'embeddings');
  if (embeddings.shape[1] !== head.embeddingSize) {
    throw new ShapeError({ fn, argument: 'embeddings', expected: `[N,${head.embeddingSize}] (the head's embeddingSize)`, actual: embeddings.shape });
  }
  const lab = checkIdentityLabels(labels, embeddings.shape[0], fn);
  const { steps, batchSize, lr } = common(fn, options, { steps: 500, batchSize: 64, lr: 1e-2 });
  const sampler = createBalancedPairSampler(lab, { batchSize, positiveFraction: options.positiveFraction, seed: options.seed });
  return loop(fn, {
    vars: head.trainableVariables(), steps, baseLr: lr, options, sampler,
    logits: (l, r) => head.logits(tf.gather(embeddings, l), tf.gather(embeddings, r)),
  });
}

/**
 * End-to-end training: both copies of the encoder (shared weights) and the
 * head learn together from binary cross-entropy. Each step embeds the
 * distinct images of a batch of pairs once, in training mode.
 *
 * @example
 * ```ts
 * const encoder = createCompactEncoder({ inputShape: [56, 46, 1] });
 * const head = createVerificationHead({ embeddingSize: 128 });
 * await trainSiameseEndToEnd(encoder, head, { images, labels }, { steps: 300 }); // images [N,56,46,1]
 * ```
 */
export async function trainSiameseEndToEnd(
  encoder: Encoder, head: VerificationHead, data: { images: tf.Tensor4D; labels: ArrayLike<number> }, options: TrainSiameseOptions = {},
): Promise<SiameseTrainResult> {
  const fn = 'train';
  if (encoder == null || typeof encoder.encode !== 'function' || typeof encoder.trainableVariables !== 'function') {
    throw new InvalidArgumentError({ fn, argument: 'encoder', message: 'expected an Encoder from @likeness/embeddings.' });
  }
  const images = data?.images;
  assertTensor(images, fn, 'data.images');
  if (images.rank !== 4) throw new ShapeError({ fn, argument: 'data.images', expected: 'images [N,H,W,C]', actual: images.shape });
  if (encoder.embeddingSize !== head.embeddingSize) {
    throw new ShapeError({ fn, argument: 'head', expected: `a head for ${encoder.embeddingSize}-d embeddings (the encoder's)`, actual: `embeddingSize ${head.embeddingSize}` });
  }
  const lab = checkIdentityLabels(data.labels, images.shape[0], fn, 'data.labels');
  const { steps, batchSize, lr } = common(fn, options, { steps: 300, batchSize: 32, lr: 1e-3 });
  const sampler = createBalancedPairSampler(lab, { batchSize, positiveFraction: options.positiveFraction, seed: options.seed });
  return loop(fn, {
    vars: [...encoder.trainableVariables(), ...head.trainableVariables()], steps, baseLr: lr, options, sampler,
    logits: (l, r, step) => {
      // embed each distinct image once
      const uniq = [...new Set([...l, ...r])];
      const pos = new Map(uniq.map((v, i) => [v, i]));
      let x = tf.gather(images, uniq) as tf.Tensor4D;
      if (options.augment) x = options.augment(x, step);
      const e = encoder.encode(x, { training: true });
      return head.logits(tf.gather(e, Int32Array.from(l, (v) => pos.get(v)!)), tf.gather(e, Int32Array.from(r, (v) => pos.get(v)!)));
    },
  });
}
