import * as tf from '@tensorflow/tfjs-core';
import { assertNumber, InvalidArgumentError } from '@likeness/backends';
import type { AugmentFacesOptions, FaceResNet } from '@likeness/embeddings';
import { CheckpointCorruptError } from '../errors/checkpoint-corrupt-error';
import { decodeCheckpointWeights, encodeCheckpoint, type CheckpointStore, type SerializedCheckpoint } from '../trainer/checkpoint';
import { cacheAugmentedFeatures } from './cache-augmented-features';
import { checkCrossValidationOptions, type CrossValidateFineTuningOptions } from './cross-validate-fine-tuning';
import { crossValidateOnCachedFeatures, type CachedCrossValidationResult } from './cross-validate-on-cached-features';
import type { FineTuneObjectiveRunner } from './fine-tune-objective-runner';
import { assignIdentityFolds } from './identity-folds';
import { checkFaces, type LabelledFaces } from './labelled-faces';
import { yieldToEventLoop } from '../internal/yield-to-event-loop';
import { bootstrapEerImprovement, resolveKeepBest, validationScoreBetter, type KeepBestOptions } from './keep-best-guard';

/** Figures of one epoch of `fineTune` with `select: { validation }` (epoch 0: the weights it started with). */
export interface FineTuneEpoch {
  /** Epoch number (`initialEpoch` for the starting weights). */
  readonly epoch: number;
  /** Mean training loss of the epoch's steps: triplet loss, or the siamese objective's binary cross-entropy (NaN for epoch 0: no step yet). */
  readonly loss: number;
  /** Validation EER over all pairs of the validation people. */
  readonly validationEer: number;
  /** Validation ROC AUC over the same pairs. */
  readonly validationAuc: number;
  /**
   * The tie-breaker: for triplets the mean validation triplet loss over all
   * (a, p, n) on distances divided by their mean (scale-free); for the
   * siamese objective the class-balanced validation binary cross-entropy.
   */
  readonly validationLoss: number;
  /**
   * Share of the keep-best guard's bootstrap resamples in which this
   * epoch's validation EER is below epoch 0's (NaN for epoch 0).
   */
  readonly confidence: number;
  /** Whether the net (and the siamese head) now hold this epoch's weights (the kept epoch so far). */
  readonly best: boolean;
  /** Wall-clock seconds of the epoch (training and validation). */
  readonly seconds: number;
}

/** What `fineTune` with `select: { validation }` returns. */
export interface FineTuneResult {
  /** One entry per epoch, epoch 0 (the starting weights) first. */
  readonly history: FineTuneEpoch[];
  /** The epoch whose weights the net now holds (`initialEpoch`, 0 by default: fine-tuning never beat the starting weights). */
  readonly bestEpoch: number;
  /** Whether `patience` epochs without a better validation score ended training before `epochs`. */
  readonly stoppedEarly: boolean;
  /** Seconds spent caching frozen features. */
  readonly cacheSeconds: number;
  /** Seconds in total. */
  readonly seconds: number;
}

/** Options of `fineTune` that every objective and selection rule share. */
export interface FineTuneCommonOptions {
  /** Copies of each training image whose frozen features are cached: the original plus n − 1 augmented ones. @defaultValue `4` */
  augmentations?: number;
  /** Augmentation of the copies. @defaultValue `{ maxShift: 4, brightness: 0.1 }` */
  augment?: Omit<AugmentFacesOptions, 'seed'>;
  /** Batches per epoch. @defaultValue `15` */
  stepsPerEpoch?: number;
  /** Seeds the feature cache's augmentations, the batches and the keep-best guard. @defaultValue `0` */
  seed?: number;
}

/** Options of `fineTune` with `select: { validation }`, for any objective. */
export interface ValidationFineTuneOptions extends FineTuneCommonOptions {
  /** Epochs to train (at most: see `patience`). @defaultValue `8` */
  epochs?: number;
  /** Stop after this many epochs without a better validation score (kept or not). @defaultValue `2` */
  patience?: number;
  /**
   * The keep-best guard: an epoch replaces the starting weights only when
   * it beats the best kept epoch on the validation EER (ties: the
   * objective's validation loss) AND a paired bootstrap of the validation
   * set finds its EER below epoch 0's in at least `minConfidence` of
   * `resamples` resamples (of the validation people by default, see
   * {@link KeepBestOptions}; seeded, deterministic). A few validation people
   * cannot resolve small differences; the guard keeps the starting weights
   * unless the gain is significant. `{ minConfidence: 0 }` keeps any
   * point-estimate gain.
   * @defaultValue `{ minConfidence: 0.95, resamples: 1000, unit: 'identity', seed: options.seed }`
   */
  keepBest?: KeepBestOptions;
  /**
   * First epoch number when resuming from weights alone (saved with
   * `saveFaceResNet` at that epoch; the optimiser starts afresh). Prefer
   * `checkpoint`, which also restores the optimiser. @defaultValue `0`
   */
  initialEpoch?: number;
  /** Called after every epoch. */
  onEpoch?: (e: FineTuneEpoch) => void;
  /** Called when an epoch beats the best so far (e.g. `saveFaceResNet(net, handler, {metadata: {epoch}})`). */
  onBest?: (net: FaceResNet, e: FineTuneEpoch) => Promise<void> | void;
}

/** Options of `fineTune` with a triplet objective and `select: { validation }` that the siamese objective does not take. */
export interface TripletValidationOptions {
  /**
   * Saves, after every `every` epochs and after
   * the last one, everything a resumed run needs to continue exactly as if
   * it had not stopped: the trainable weights, the best epoch's weights,
   * both Adam optimisers' moments and step counts, the batch sampler's and
   * the augmentation choice's random state, early-stopping counters and the
   * history. The store replaces its checkpoint atomically
   * (`fileCheckpointStore`: temp file + rename; a crash leaves the previous
   * checkpoint). When `resume` (default) and the store holds a checkpoint,
   * training continues from it to epoch `initialEpoch + epochs` — call
   * again with the same options after an interruption. Start from the same
   * pretrained net and data.
   */
  checkpoint?: {
    /** Where the checkpoint is kept (`fileCheckpointStore(dir)`, `memoryCheckpointStore()`). */
    store: CheckpointStore;
    /** Epochs between saves. @defaultValue `1` */
    every?: number;
    /** Continue from the store's checkpoint when it holds one. @defaultValue `true` */
    resume?: boolean;
  };
  /**
   * Score the validation people with test-time
   * flip averaging, each embedding ½·(f(x) + f(mirror x)) as
   * `flipAveragedEncoder` gives: choose the kept epoch by the embeddings you
   * will deploy when you deploy with flip averaging. Costs one more frozen
   * pass per validation image. @defaultValue `false`
   */
  validationFlip?: boolean;
}

/** Options of `fineTune` with `select: { crossValidate }`, for any objective (`folds` and `targetFar` go in `select.crossValidate`). */
export interface CrossValidatedFineTuneOptions extends FineTuneCommonOptions, Pick<CrossValidateFineTuningOptions, 'epochs' | 'keepBest' | 'onEpoch'> {}

/** What `fineTune` with `select: { crossValidate }` returns: the cross-validation's result and the feature cache's time. */
export type CrossValidatedFineTuneResult = CachedCrossValidationResult;

/** The loop's part of a checkpoint's JSON state; the objective's trainer adds its own fields. */
interface LoopCheckpointState {
  kind: string;
  trainableStages: number;
  /** Last completed epoch. */
  epoch: number;
  stoppedEarly: boolean;
  best: Score;
  /** The best score seen, kept or not (early stopping). */
  bestSeen: Score;
  /** Epoch 0's validation pair distances (the guard's baseline). */
  baseline: number[];
  bestEpoch: number;
  since: number;
  history: FineTuneEpoch[];
  /** Trainable variables (names without the instance prefix), in order. */
  variables: string[];
}

type Score = { eer: number; auc: number; loss: number };

const FN = 'fineTune';

/**
 * @internal The one fine-tune loop with the kept epoch chosen on validation
 * people: caches the frozen features once, scores epoch 0, then per epoch
 * trains (`objective.trainer`), scores (`objective.score`), applies the
 * keep-best guard, stops early after `patience` epochs without a better
 * score and checkpoints; the objective's variables end holding the kept
 * epoch. Inputs are not disposed.
 */
export async function fineTuneOnValidation(
  net: FaceResNet, train: LabelledFaces, validation: LabelledFaces, objective: FineTuneObjectiveRunner, options: ValidationFineTuneOptions & TripletValidationOptions,
): Promise<FineTuneResult> {
  const fn = FN;
  const trainLabels = checkFaces(fn, 'train', train);
  const valLabels = checkFaces(fn, 'options.select.validation', validation);
  const A = options.augmentations ?? 4, epochs = options.epochs ?? 8, steps = options.stepsPerEpoch ?? 15;
  const patience = options.patience ?? 2, seed = options.seed ?? 0, first = options.initialEpoch ?? 0;
  assertNumber(A, fn, 'options.augmentations', { integer: true, min: 1 });
  assertNumber(epochs, fn, 'options.epochs', { integer: true, min: 0 });
  assertNumber(steps, fn, 'options.stepsPerEpoch', { integer: true, min: 1 });
  assertNumber(patience, fn, 'options.patience', { integer: true, min: 1 });
  assertNumber(first, fn, 'options.initialEpoch', { integer: true, min: 0 });
  assertNumber(seed, fn, 'options.seed', { integer: true });
  const ckpt = options.checkpoint;
  if (ckpt !== undefined && (ckpt == null || ckpt.store == null || typeof ckpt.store.save !== 'function' || typeof ckpt.store.load !== 'function')) {
    throw new InvalidArgumentError({ fn, argument: 'options.checkpoint.store', message: 'expected a CheckpointStore with save() and load(), e.g. fileCheckpointStore(dir).' });
  }
  if (ckpt && objective.checkpointKind === undefined) throw new InvalidArgumentError({ fn, argument: 'options.checkpoint', message: 'checkpoints are kept for the triplet objective only; leave checkpoint out.' });
  const every = ckpt?.every ?? 1;
  assertNumber(every, fn, 'options.checkpoint.every', { integer: true, min: 1 });
  objective.checkBatches(trainLabels);
  const guard = resolveKeepBest(options.keepBest, fn, seed);
  const pairLabels = { a: [] as number[], b: [] as number[] };
  for (let i = 0; i < valLabels.length; i++) for (let j = i + 1; j < valLabels.length; j++) { pairLabels.a.push(valLabels[i]!); pairLabels.b.push(valLabels[j]!); }

  const t0 = Date.now();
  let feats: tf.Tensor4D | undefined, valFeats: tf.Tensor4D | undefined, valMirror: tf.Tensor4D | undefined;
  const vars = objective.variables;
  let snapshot: tf.Tensor[] = vars.map((v) => tf.clone(v));
  const trainer = objective.trainer(trainLabels, undefined, seed);
  try {
    feats = cacheAugmentedFeatures(net, train.images, { augmentations: A, augment: options.augment, seed });
    valFeats = net.frozenFeatures(validation.images);
    if (options.validationFlip) {
      const m = tf.reverse(validation.images, 2) as tf.Tensor4D;
      valMirror = net.frozenFeatures(m);
      m.dispose();
    }
    const cacheSeconds = (Date.now() - t0) / 1000;
    await yieldToEventLoop();

    let history: FineTuneEpoch[] = [];
    let t = Date.now();
    const last = first + epochs;
    const stable = (v: tf.Variable) => (v.name.startsWith(`${net.uid}/`) ? v.name.slice(net.uid.length + 1) : v.name);
    const saved = ckpt && ckpt.resume !== false ? await ckpt.store.load() : null;
    let best: Score, bestSeen: Score, baseline: number[], bestEpoch: number, since = 0, stoppedEarly = false, start: number, finished = false;
    if (saved) {
      const st = await restoreCheckpoint(saved, net, objective.checkpointKind!, vars.map(stable), vars, trainer);
      tf.dispose(snapshot);
      snapshot = st.snapshot;
      ({ best, bestSeen, baseline, bestEpoch, since, stoppedEarly } = st.state);
      finished = since >= patience; // early-stopped: nothing left to do (a longer run would have stopped there too)
      history = st.state.history.map((h) => ({ ...h, loss: h.loss ?? NaN, confidence: h.confidence ?? NaN }));
      start = st.state.epoch + 1;
    } else {
      const s0 = objective.score(valFeats, valLabels, valMirror);
      best = bestSeen = { eer: s0.eer, auc: s0.auc, loss: s0.loss }; baseline = s0.d; bestEpoch = first; start = first + 1;
      const e0: FineTuneEpoch = { epoch: first, loss: NaN, validationEer: s0.eer, validationAuc: s0.auc, validationLoss: s0.loss, confidence: NaN, best: true, seconds: (Date.now() - t) / 1000 };
      history.push(e0);
      options.onEpoch?.(e0);
    }
    const save = async (epoch: number) => {
      const extra = await trainer.saveState!();
      const state: LoopCheckpointState & Record<string, unknown> = {
        kind: objective.checkpointKind!, trainableStages: net.trainableStages, epoch, stoppedEarly,
        ...extra.state, best, bestSeen, baseline, bestEpoch, since,
        history: history.map((h) => ({ ...h, loss: (Number.isFinite(h.loss) ? h.loss : null) as number, confidence: (Number.isFinite(h.confidence) ? h.confidence : null) as number })),
        variables: vars.map(stable),
      };
      const tensors = [
        ...vars.map((v) => ({ name: `weights/${stable(v)}`, tensor: v as tf.Tensor })),
        ...snapshot.map((v, i) => ({ name: `best/${stable(vars[i]!)}`, tensor: v })),
        ...extra.tensors,
      ];
      try {
        await ckpt!.store.save(await encodeCheckpoint(epoch, state, tensors));
      } finally {
        tf.dispose(extra.temporaries);
      }
    };
    for (let epoch = start; epoch <= last && !finished; epoch++) {
      t = Date.now();
      await yieldToEventLoop();
      const meanLoss = trainer.trainEpoch(feats);
      await yieldToEventLoop();
      const sc = objective.score(valFeats, valLabels, valMirror);
      const guarded = bootstrapEerImprovement(baseline, sc.d, pairLabels, { ...guard, seed: guard.seed * 1000 + epoch });
      const isBest = validationScoreBetter(sc, best) && guarded.accepted;
      const score = { eer: sc.eer, auc: sc.auc, loss: sc.loss };
      if (validationScoreBetter(sc, bestSeen)) { bestSeen = score; since = 0; } else since++;
      if (isBest) {
        best = score; bestEpoch = epoch;
        tf.dispose(snapshot);
        snapshot = vars.map((v) => tf.clone(v));
      }
      const rec: FineTuneEpoch = { epoch, loss: meanLoss, validationEer: sc.eer, validationAuc: sc.auc, validationLoss: sc.loss, confidence: guarded.confidence, best: isBest, seconds: (Date.now() - t) / 1000 };
      history.push(rec);
      options.onEpoch?.(rec);
      if (isBest) await options.onBest?.(net, rec);
      if (since >= patience) { stoppedEarly = epoch < last; finished = true; }
      if (ckpt && (finished || epoch === last || (epoch - first) % every === 0)) await save(epoch);
    }
    vars.forEach((v, i) => v.assign(snapshot[i]!));
    return { history, bestEpoch, stoppedEarly, cacheSeconds, seconds: (Date.now() - t0) / 1000 };
  } finally {
    tf.dispose(snapshot);
    if (feats) feats.dispose();
    if (valFeats) valFeats.dispose();
    if (valMirror) valMirror.dispose();
    trainer.dispose();
  }
}

/** Puts a checkpoint's weights and the trainer's state into place; returns the loop's JSON state and the best epoch's weights (new tensors). */
async function restoreCheckpoint(
  saved: SerializedCheckpoint, net: FaceResNet, kind: string, names: string[], vars: tf.Variable[], trainer: ReturnType<FineTuneObjectiveRunner['trainer']>,
): Promise<{ state: LoopCheckpointState; snapshot: tf.Tensor[] }> {
  const state = saved.manifest?.state as unknown as (LoopCheckpointState & Record<string, unknown>) | undefined;
  const fail = (message: string): never => {
    throw new CheckpointCorruptError({ path: 'checkpoint.json', message: `${message} Use a new checkpoint directory (or resume: false) for a different run.` });
  };
  if (state?.kind !== kind) fail('the checkpoint is not one of fineTune with this objective.');
  const st = state!;
  if (!Array.isArray(st.baseline) || st.bestSeen == null) fail('the checkpoint predates the keep-best guard (no baseline distances).');
  if (st.trainableStages !== net.trainableStages) fail(`the checkpoint has ${st.trainableStages} trainable stages, the net ${net.trainableStages}.`);
  if (!Array.isArray(st.variables) || st.variables.length !== names.length || st.variables.some((v, i) => v !== names[i])) fail('the checkpoint\'s variables are not this net\'s.');
  const map = decodeCheckpointWeights(saved);
  try {
    const get = (key: string, shape: readonly number[]): tf.Tensor => {
      const t = map[key];
      if (!t || t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) fail(`"${key}" is ${t ? `[${t.shape}]` : 'missing'}, expected [${shape}].`);
      return t!;
    };
    const weights = vars.map((v, i) => get(`weights/${names[i]}`, v.shape));
    const best = vars.map((v, i) => get(`best/${names[i]}`, v.shape));
    await trainer.restoreState!(st, map, fail); // checks all it needs before changing anything
    vars.forEach((v, i) => v.assign(weights[i]!));
    return { state: st, snapshot: best.map((t) => tf.clone(t)) };
  } finally {
    tf.dispose(Object.values(map));
  }
}

/**
 * @internal The one fine-tune loop with the kept epoch chosen by k-fold
 * cross-validation over the training people (`crossValidateOnCachedFeatures`):
 * the objective's `prepare` readies each run (fold or final fit), its
 * trainer trains it, its score scores the fold's copy-0 rows.
 */
export async function fineTuneCrossValidated(
  net: FaceResNet, train: LabelledFaces, objective: FineTuneObjectiveRunner, options: CrossValidatedFineTuneOptions & { folds?: number; targetFar?: number },
): Promise<CrossValidatedFineTuneResult> {
  const fn = FN;
  const labels = checkFaces(fn, 'train', train);
  const o = options ?? {};
  const A = o.augmentations ?? 4, steps = o.stepsPerEpoch ?? 15, seed = o.seed ?? 0;
  assertNumber(A, fn, 'options.augmentations', { integer: true, min: 1 });
  assertNumber(steps, fn, 'options.stepsPerEpoch', { integer: true, min: 1 });
  const cv = checkCrossValidationOptions(o, fn); // also checks options.seed
  // every fold's training people must fill a batch: fail before the (slow) feature cache
  const folds = assignIdentityFolds(labels, cv.folds, seed, fn);
  objective.checkBatches(labels);
  for (const rows of folds.rows) objective.checkBatches(labels.filter((_, i) => !rows.includes(i)));

  return crossValidateOnCachedFeatures(net, train.images, { augmentations: A, augment: o.augment, seed }, { ...o, seed }, {
    labels,
    variables: objective.variables,
    async begin(rows, s, feats) {
      await objective.prepare?.(labels, rows, s, feats);
      const trainer = objective.trainer(labels, rows, s);
      return {
        trainEpoch: () => trainer.trainEpoch(feats),
        scoreFeatures(f, lab) {
          const sc = objective.score(f, lab);
          return { distances: sc.d, loss: sc.loss };
        },
        dispose: () => trainer.dispose(),
      };
    },
  });
}
