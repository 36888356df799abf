import * as tf from '@tensorflow/tfjs-core';
import { assertNumber, assertTensor, InvalidArgumentError, ShapeError } from '@likeness/backends';
import { pairwiseDistances, type Encoder, SeededRandom, checkIdentityLabels } from '@likeness/embeddings';
import { DegenerateBatchError, mineTripletsFromDistances, type MiningStrategy, type SemiHardFallback, createPKSampler, type PKSamplerState, marginSoftmaxLoss, type ClassificationOptions, reduceTripletLosses, tripletLosses, type TripletMetric, type TripletReduction, type Triplets, tripletObjective, type TripletObjectiveOptions } from '@likeness/triplet';
import { CheckpointCorruptError } from '../errors/checkpoint-corrupt-error';
import { decodeCheckpointWeights, encodeCheckpoint, type CheckpointStore } from './checkpoint';
import { createOptimizer, setLearningRate, type OptimizerChoice } from './optimizer';
import { learningRateAt, type LearningRateSchedule } from './schedule';
import { yieldToEventLoop } from '../internal/yield-to-event-loop';

/** One line of training progress. */
export interface TripletProgress {
  /** Steps completed (1-based after the first step). */
  step: number;
  /** Steps the run will take in all. */
  totalSteps: number;
  /** Reduced loss of the step's batch. */
  loss: number;
  /** Fraction of the mined triplets with a non-zero loss. */
  activeFraction: number;
  /** Triplets mined from the batch. */
  triplets: number;
  /** Mean off-diagonal distance in the batch (collapse watch). */
  meanDistance: number;
  /** Learning rate of the step (after schedule and warm-up). */
  learningRate: number;
  /** Whether the update was applied (false when every triplet was easy). */
  applied: boolean;
  /** Milliseconds since training started. */
  elapsedMs: number;
  /** The latest validation score, if any. */
  validation?: number;
  /** The classification term (before its weight) when `classification` is on. */
  classificationLoss?: number;
}

/** Something odd that did not stop training. */
export interface TrainingWarning {
  /** `'all-easy'`: every triplet already satisfied, step skipped; `'no-triplets'`: the miner kept none, step skipped; `'collapse'`: the embeddings collapsed to one point. */
  code: 'all-easy' | 'collapse' | 'no-triplets';
  /** The step it happened at. */
  step: number;
  /** A sentence for people. */
  message: string;
}

/** Early stopping on a validation score computed by your callback. */
export interface EarlyStoppingOptions {
  /** Score of the current encoder (e.g. balanced accuracy on validation people). */
  validate: (encoder: Encoder) => number | Promise<number>;
  /** Validate every this many steps. @defaultValue `25` */
  every?: number;
  /** Stop after this many validations without improvement. @defaultValue `4` */
  patience?: number;
  /** `'max'`: higher is better. @defaultValue `'max'` */
  mode?: 'max' | 'min';
  /** Smallest change that counts as improvement. @defaultValue `0` */
  minDelta?: number;
  /** Put the best weights back at the end. @defaultValue `true` */
  restoreBest?: boolean;
}

/**
 * The training options of `train` with a triplet objective; what is
 * optimised (strategy, margin, metric, reduction, fallback, P×K,
 * classification term) is the objective's, {@link TripletObjectiveOptions}.
 */
export interface TripletTrainingOptions {
  /** Optimisation steps. Give `steps` or `epochs` (epoch = ⌈N / (P·K)⌉ steps). @defaultValue `300` */
  steps?: number;
  /** Epochs instead of `steps` (takes precedence when given). */
  epochs?: number;
  /** @defaultValue `'adam'` */
  optimizer?: OptimizerChoice;
  /** Base learning rate. @defaultValue `1e-3` */
  learningRate?: number;
  /** @defaultValue `'cosine'` */
  schedule?: LearningRateSchedule;
  /** Linear warm-up steps. @defaultValue `0` */
  warmupSteps?: number;
  /** Batch augmentation, e.g. `(x, rng) => flipAndShift(x, { rng })`; must return a new tensor. */
  augment?: (images: tf.Tensor4D, step: number) => tf.Tensor4D;
  /** @defaultValue `0` */
  seed?: number;
  /** Called after every step (awaited). */
  onProgress?: (p: TripletProgress) => void | Promise<void>;
  /** Called for each warning; default: `console.warn` once per warning code. */
  onWarning?: (w: TrainingWarning) => void;
  /** `'warn'` or `'error'` when embeddings collapse to one point. @defaultValue `'warn'` */
  onCollapse?: 'warn' | 'error';
  /** Mean pairwise distance below which the batch counts as collapsed. @defaultValue `1e-6` */
  collapseThreshold?: number;
  /** Save every `every` steps and at the end; resume from `store` when it holds a checkpoint. */
  checkpoint?: {
    /** Where the checkpoint is kept (`fileCheckpointStore(dir)`, `memoryCheckpointStore()`). */
    store: CheckpointStore;
    /** Steps between saves. @defaultValue `50` */
    every?: number;
    /** Continue from the store's checkpoint when it holds one. @defaultValue `true` */
    resume?: boolean;
  };
  /** Stops when your validation score stops improving. */
  earlyStopping?: EarlyStoppingOptions;
}

/** @internal What the triplet trainer runs: the training options and the objective's fields (`train` spreads the objective in). */
export type TrainTripletOptions = TripletTrainingOptions & TripletObjectiveOptions;

/** What `train` (triplet objective) did. */
export interface TripletTrainResult {
  /** Steps completed in total (including those before a resume). */
  steps: number;
  /** Step the run resumed from (0 for a fresh run). */
  resumedFrom: number;
  /** Whether early stopping ended the run before `steps`. */
  stoppedEarly: boolean;
  /** Best validation score of early stopping (absent without `earlyStopping`). */
  bestScore?: number;
  /** Step of the best validation score (absent without `earlyStopping`). */
  bestStep?: number;
  /** Loss per completed step of this run and earlier ones (from the checkpoint). */
  losses: number[];
  /** The warnings of the run, in order. */
  warnings: TrainingWarning[];
}

interface TrainerState {
  [key: string]: unknown;
  sampler: PKSamplerState;
  rng: number;
  losses: number[];
  best?: number;
  bestStep?: number;
  sinceBest: number;
  stoppedEarly?: boolean;
}

/**
 * Trains any {@link Encoder} with the triplet loss on P×K batches mined
 * online. Each step: sample P identities × K images, augment, embed in
 * training mode, mine triplets on the batch's distances, reduce the loss,
 * compute gradients, check that loss, embeddings and gradients are finite,
 * then update. Weights never receive a NaN: a non-finite step throws
 * {@link DegenerateBatchError} with the weights as they were. With
 * `classification`, an additive-margin softmax over the training identities
 * (learned proxies) is added to the loss; `strategy: 'none'` uses it alone —
 * the recipe that transfers best to unseen people when there are few images
 * of few people (package README).
 *
 * @example
 * ```ts
 * const encoder = createCompactEncoder({ inputShape: [56, 46, 1] });
 * const res = await trainTriplet(encoder, { images, labels }, { steps: 300, strategy: 'batch-hard' });
 * // images [N,56,46,1], labels number[N] → res.losses.length === 300
 * ```
 */
export async function trainTriplet(encoder: Encoder, data: { images: tf.Tensor4D; labels: ArrayLike<number> }, options: TrainTripletOptions = {}): Promise<TripletTrainResult> {
  const fn = 'train';
  if (encoder == null || typeof encoder.encode !== 'function' || typeof encoder.trainableVariables !== 'function') {
    throw new InvalidArgumentError({ fn, argument: 'encoder', message: 'expected an Encoder from @likeness/embeddings (encode, trainableVariables).' });
  }
  const { images } = data ?? ({} as never);
  assertTensor(images, fn, 'data.images');
  if (images.rank !== 4) throw new ShapeError({ fn, argument: 'data.images', expected: 'images [N,H,W,C]', actual: images.shape });
  const [h, w, c] = encoder.inputShape;
  if (images.shape[1] !== h || images.shape[2] !== w || images.shape[3] !== c) {
    throw new ShapeError({ fn, argument: 'data.images', expected: `[N,${h},${w},${c}] (the encoder's inputShape)`, actual: images.shape, hint: 'Resize the images or build the encoder for this size.' });
  }
  const labels = checkIdentityLabels(data.labels, images.shape[0], fn, 'data.labels');
  const strategy = options.strategy ?? 'batch-hard';
  // the names (strategy, metric, reduction, fallback) are the objective's: check them as tripletObjective does
  tripletObjective({ strategy, metric: options.metric, reduction: options.reduction, fallback: options.fallback, classification: options.classification });
  const cls = options.classification === true ? {} : options.classification === false ? undefined : options.classification;
  if (cls !== undefined && (cls === null || typeof cls !== 'object')) {
    throw new InvalidArgumentError({ fn, argument: 'options.classification', message: 'expected true or { weight?, scale?, margin?, labelSmoothing? }.' });
  }
  if (strategy === 'none' && !cls) {
    throw new InvalidArgumentError({ fn, argument: 'options.strategy', message: "'none' trains with the classification term alone: give options.classification too, or choose a mining strategy." });
  }
  const clsWeight = cls?.weight ?? 1;
  if (cls) {
    assertNumber(clsWeight, fn, 'options.classification.weight', { min: 0, exclusiveMin: true });
    assertNumber(cls.scale ?? 16, fn, 'options.classification.scale', { min: 0, exclusiveMin: true });
    assertNumber(cls.margin ?? 0.2, fn, 'options.classification.margin', { min: 0 });
    assertNumber(cls.labelSmoothing ?? 0.1, fn, 'options.classification.labelSmoothing', { min: 0, max: 1 });
  }
  const metric = options.metric ?? 'squared-l2';
  const reduction = options.reduction ?? (strategy === 'batch-all' ? 'mean-active' : 'mean');
  const margin = options.margin ?? 0.2;
  assertNumber(margin, fn, 'options.margin', { min: 0 });
  const baseLr = options.learningRate ?? 1e-3;
  assertNumber(baseLr, fn, 'options.learningRate', { min: 0 });
  const seed = options.seed ?? 0;
  assertNumber(seed, fn, 'options.seed', { integer: true });
  const p = options.p ?? 10;
  const k = options.k ?? 5;
  const sampler = createPKSampler(labels, { p, k, seed });
  let totalSteps = options.steps ?? 300;
  if (options.epochs !== undefined) {
    assertNumber(options.epochs, fn, 'options.epochs', { integer: true, min: 1 });
    totalSteps = options.epochs * Math.ceil(images.shape[0] / (p * k));
  }
  assertNumber(totalSteps, fn, 'options.steps', { integer: true, min: 0 });
  const warmup = options.warmupSteps ?? 0;
  assertNumber(warmup, fn, 'options.warmupSteps', { integer: true, min: 0 });
  const collapseThreshold = options.collapseThreshold ?? 1e-6;
  const es = options.earlyStopping;
  const esEvery = es?.every ?? 25;
  const esPatience = es?.patience ?? 4;
  const esMode = es?.mode ?? 'max';
  const esDelta = es?.minDelta ?? 0;
  if (es) {
    if (typeof es.validate !== 'function') throw new InvalidArgumentError({ fn, argument: 'options.earlyStopping.validate', message: 'expected a function (encoder) => score.' });
    assertNumber(esEvery, fn, 'options.earlyStopping.every', { integer: true, min: 1 });
    assertNumber(esPatience, fn, 'options.earlyStopping.patience', { integer: true, min: 1 });
  }
  const ckptEvery = options.checkpoint?.every ?? 50;
  if (options.checkpoint) assertNumber(ckptEvery, fn, 'options.checkpoint.every', { integer: true, min: 1 });

  const vars = encoder.trainableVariables();
  if (vars.length === 0) {
    throw new InvalidArgumentError({ fn, argument: 'encoder', message: 'the encoder has no trainable variables (frozen?); nothing to train.' });
  }
  // State that is not trained (batch-norm moving statistics): checkpointed with the weights.
  const stateVars = (encoder.stateVariables?.() ?? []).filter((s) => !vars.includes(s.variable));
  // Classification term: identity labels → class indices 0…C−1 (sorted), one proxy row each.
  const classOf = new Map<number, number>();
  if (cls) [...new Set(labels)].sort((a, b) => a - b).forEach((l, i) => classOf.set(l, i));
  let proxies: tf.Variable<tf.Rank.R2> | null = null;
  if (cls) {
    // tfjs's normal sampler draws from Math.random() when the seed is 0: keep the seed ≥ 1 so the proxies are reproducible
    const init = tf.randomNormal([classOf.size, encoder.embeddingSize], 0, 0.01, 'float32', 1 + ((seed >>> 0) % 2147483646));
    proxies = tf.variable(init, true) as tf.Variable<tf.Rank.R2>;
    init.dispose();
  }
  const trained: tf.Variable[] = proxies ? [...vars, proxies] : vars;
  const optimizer = createOptimizer(options.optimizer ?? 'adam', baseLr);
  const ownOptimizer = !(options.optimizer != null && typeof options.optimizer === 'object' && options.optimizer instanceof tf.Optimizer);
  const rng = new SeededRandom((seed ^ 0x9e3779b9) >>> 0);
  const warnings: TrainingWarning[] = [];
  const warnedCodes = new Set<string>();
  const warn = (wn: TrainingWarning) => {
    warnings.push(wn);
    if (options.onWarning) options.onWarning(wn);
    else if (!warnedCodes.has(wn.code)) {
      warnedCodes.add(wn.code);
      console.warn(`[train] ${wn.message} (further '${wn.code}' warnings are collected in result.warnings)`);
    }
  };
  const state: TrainerState = { sampler: sampler.getState(), rng: rng.state, losses: [], sinceBest: 0 };
  let step = 0;
  let bestSnapshot: tf.Tensor[] | null = null;

  // Resume: every part of the checkpoint is checked before anything is assigned,
  // so a refused checkpoint leaves the encoder as it was (called inside the
  // try below, whose finally frees what this call created).
  const resume = async (): Promise<void> => {
    if (!options.checkpoint || options.checkpoint.resume === false) return;
    const ckpt = await options.checkpoint.store.load();
    if (!ckpt) return;
    const map = decodeCheckpointWeights(ckpt);
    try {
      vars.forEach((v, i) => {
        const t = map[`encoder/${i}`];
        if (!t || !tf.util.arraysEqual(t.shape, v.shape)) {
          throw new CheckpointCorruptError({ path: `encoder/${i}`, message: `checkpoint does not fit this encoder: variable ${i} is ${t ? `[${t.shape.join(',')}]` : 'missing'}, the encoder has [${v.shape.join(',')}]. Use a new checkpoint directory for a different encoder.` });
        }
      });
      if (proxies) {
        const t = map['classifier/proxies'];
        if (!t || !tf.util.arraysEqual(t.shape, proxies.shape)) {
          throw new CheckpointCorruptError({ path: 'classifier/proxies', message: `the checkpoint has ${t ? `proxies [${t.shape.join(',')}]` : 'no classification proxies'}, this run needs [${proxies.shape.join(',')}] (options.classification over ${classOf.size} identities). Use a new checkpoint directory, or the options the checkpoint was made with.` });
        }
      }
      vars.forEach((v, i) => v.assign(map[`encoder/${i}`]!));
      if (proxies) proxies.assign(map['classifier/proxies'] as tf.Tensor2D);
      for (const { name, variable } of stateVars) {
        const t = map[`state/${name}`];
        if (t && tf.util.arraysEqual(t.shape, variable.shape)) variable.assign(t);
      }
      const optNames = Object.keys(map).filter((n) => n.startsWith('optimizer/')).sort((a, b) => Number(a.split('/')[1]) - Number(b.split('/')[1]));
      if (optNames.length > 0) await optimizer.setWeights(optNames.map((n) => ({ name: n, tensor: map[n]! })));
      const bestNames = Object.keys(map).filter((n) => n.startsWith('best/'));
      if (bestNames.length === vars.length) bestSnapshot = vars.map((_, i) => tf.keep(tf.clone(map[`best/${i}`]!)));
    } finally {
      tf.dispose(Object.values(map));
    }
    Object.assign(state, ckpt.manifest.state);
    sampler.setState(state.sampler);
    rng.state = state.rng >>> 0;
    step = ckpt.manifest.step;
  };
  let resumedFrom = 0;

  const save = async () => {
    if (!options.checkpoint) return;
    state.sampler = sampler.getState();
    state.rng = rng.state;
    const named: { name: string; tensor: tf.Tensor }[] = vars.map((v, i) => ({ name: `encoder/${i}`, tensor: v }));
    for (const { name, variable } of stateVars) named.push({ name: `state/${name}`, tensor: variable });
    const optW = await optimizer.getWeights();
    optW.forEach((t, i) => named.push({ name: `optimizer/${i}`, tensor: t.tensor }));
    if (bestSnapshot) bestSnapshot.forEach((t, i) => named.push({ name: `best/${i}`, tensor: t }));
    if (proxies) named.push({ name: 'classifier/proxies', tensor: proxies });
    const ckpt = await encodeCheckpoint(step, JSON.parse(JSON.stringify(state)) as Record<string, unknown>, named);
    await options.checkpoint.store.save(ckpt);
  };

  let t0 = 0;
  let lastValidation: number | undefined;
  try {
    await resume();
    resumedFrom = step;
    t0 = Date.now();
    while (step < totalSteps && !state.stoppedEarly) {
      await yieldToEventLoop();
      const lr = learningRateAt(options.schedule ?? 'cosine', step, totalSteps, baseLr, warmup);
      setLearningRate(optimizer, lr);
      const idx = sampler.next();
      const batchLabels = sampler.labelsOf(idx);
      let nTriplets = 0;
      let active = 0;
      let meanDistance = 0;
      let embFinite = true;
      let classificationLoss: number | undefined;
      const { value, grads } = tf.variableGrads(() => {
        let x = tf.gather(images, idx) as tf.Tensor4D;
        if (options.augment) x = options.augment(x, step);
        const emb = encoder.encode(x, { training: true });
        const D = pairwiseDistances(emb, undefined, { metric });
        const d = D.dataSync();
        const n = idx.length;
        let sum = 0;
        for (let i = 0; i < d.length; i++) sum += d[i]!;
        meanDistance = sum / (n * (n - 1));
        embFinite = Number.isFinite(meanDistance);
        let total: tf.Scalar = tf.mul(tf.sum(emb), 0) as tf.Scalar;
        if (strategy !== 'none') {
          const t = mineTripletsFromDistances(d, batchLabels, strategy, strategy === 'random' ? { rng } : { margin, fallback: options.fallback });
          nTriplets = t.anchors.length;
          if (nTriplets > 0) {
            const L = tripletLosses(tf.gather(emb, t.anchors), tf.gather(emb, t.positives), tf.gather(emb, t.negatives), { margin, metric });
            const lv = L.dataSync();
            for (let i = 0; i < lv.length; i++) if (lv[i]! > 0) active++;
            total = reduceTripletLosses(L, reduction);
          }
        }
        if (proxies && cls) {
          const ce = marginSoftmaxLoss(emb, proxies, Array.from(batchLabels, (l) => classOf.get(l)!), cls);
          classificationLoss = ce.dataSync()[0]!;
          total = tf.add(total, tf.mul(ce, clsWeight)) as tf.Scalar;
        }
        return total;
      }, trained);
      const loss = (await value.data())[0]!;
      value.dispose();
      const gradList = trained.map((v) => grads[v.name] ?? tf.zerosLike(v));
      const finiteGrads = tf.tidy(() => tf.all(tf.stack(gradList.map((g) => tf.all(tf.isFinite(g))))).dataSync()[0] === 1);
      if (!Number.isFinite(loss) || !embFinite || !finiteGrads) {
        tf.dispose(gradList);
        throw new DegenerateBatchError({
          reason: 'non-finite', step,
          message: `${!embFinite ? 'embeddings' : !Number.isFinite(loss) ? 'the loss' : 'a gradient'} became NaN/∞ (loss ${loss}, learning rate ${lr}). The update was not applied; the weights are those after step ${step}. Lower the learning rate, check the input images for NaN, or resume from the last checkpoint.`,
        });
      }
      if (strategy !== 'none' && nTriplets === 0 && !hasPositivesAndNegatives(batchLabels)) {
        tf.dispose(gradList);
        throw new DegenerateBatchError({ reason: 'no-positives', step, message: 'the batch yields no triplet (no identity with two images, or a single identity). Use K ≥ 2 images per identity and P ≥ 2 identities.' });
      }
      if (meanDistance < collapseThreshold) {
        const message = `embeddings collapsed to one point (mean pairwise distance ${meanDistance.toExponential(2)} < ${collapseThreshold}): f(x) is constant, so every triplet has loss α. Lower the learning rate, use semi-hard mining early on, or check that the encoder's input varies.`;
        if (options.onCollapse === 'error') {
          tf.dispose(gradList);
          throw new DegenerateBatchError({ reason: 'collapse', step, message });
        }
        warn({ code: 'collapse', step, message: `step ${step}: ${message}` });
      }
      const applied = active > 0 || proxies != null;
      if (applied) {
        optimizer.applyGradients(trained.map((v, i) => ({ name: v.name, tensor: gradList[i]! })));
      } else if (nTriplets === 0) {
        // The batch has positives and negatives, but the miner kept no triplet: semi-hard with
        // fallback 'least-hard'/'skip' drops pairs whose every negative is beyond the margin.
        warn({ code: 'no-triplets', step, message: `step ${step}: the ${strategy} miner found no triplet in this batch (every negative already beyond the margin for every positive pair); the update was skipped.` });
      } else {
        warn({ code: 'all-easy', step, message: `step ${step}: every one of the ${nTriplets} ${strategy} triplets is already satisfied (loss 0); the update was skipped. Random triplets are nearly always easy: use 'semi-hard' or 'batch-hard'.` });
      }
      tf.dispose(gradList);
      step++;
      state.losses.push(loss);

      if (es && step % esEvery === 0) {
        const score = await es.validate(encoder);
        lastValidation = score;
        const better = state.best === undefined || (esMode === 'max' ? score > state.best + esDelta : score < state.best - esDelta);
        if (better) {
          state.best = score;
          state.bestStep = step;
          state.sinceBest = 0;
          if (es.restoreBest !== false) {
            tf.dispose(bestSnapshot ?? []);
            bestSnapshot = vars.map((v) => tf.keep(tf.clone(v)));
          }
        } else if (++state.sinceBest >= esPatience) state.stoppedEarly = true;
      }
      if (options.onProgress) {
        await options.onProgress({ step, totalSteps, loss, activeFraction: nTriplets ? active / nTriplets : 0, triplets: nTriplets, meanDistance, learningRate: lr, applied, elapsedMs: Date.now() - t0, validation: lastValidation, classificationLoss });
      }
      if (options.checkpoint && (step % ckptEvery === 0 || step === totalSteps || state.stoppedEarly)) await save();
    }
    if (es && es.restoreBest !== false && bestSnapshot && state.bestStep !== step) {
      vars.forEach((v, i) => v.assign(bestSnapshot![i]!));
    }
  } finally {
    tf.dispose(bestSnapshot ?? []);
    if (proxies) proxies.dispose();
    if (ownOptimizer) optimizer.dispose();
  }
  return {
    steps: step,
    resumedFrom,
    stoppedEarly: Boolean(state.stoppedEarly),
    bestScore: state.best,
    bestStep: state.bestStep,
    losses: [...state.losses],
    warnings,
  };
}

/** Whether a batch holds some identity twice (a positive pair) and at least two identities (a negative). */
function hasPositivesAndNegatives(labels: ArrayLike<number>): boolean {
  const seen = new Set<number>();
  let repeated = false;
  for (let i = 0; i < labels.length; i++) {
    if (seen.has(labels[i]!)) repeated = true;
    seen.add(labels[i]!);
  }
  return repeated && seen.size >= 2;
}
