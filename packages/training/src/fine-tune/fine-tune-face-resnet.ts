import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, ShapeError } from '@likeness/backends';
import type { AugmentFacesOptions, FaceResNet } from '@likeness/embeddings';
import { CheckpointCorruptError } from '../errors/checkpoint-corrupt-error';
import { decodeCheckpointWeights, encodeCheckpoint, type CheckpointStore, type SerializedCheckpoint } from '../trainer/checkpoint';
import type { PKSamplerState, TripletMetric } from '@likeness/triplet';
import { cacheAugmentedFeatures } from './cache-augmented-features';
import { createTripletEpochTrainer, tripletValidationScore as validationScore } from './triplet-epoch-trainer';
import { bootstrapEerImprovement, resolveKeepBest, validationScoreBetter, type KeepBestOptions, type ValidationPairLabels } from './keep-best-guard';

/** Labelled aligned face crops [N,150,150,3] in [0,1]. */
export interface LabelledFaces {
  readonly images: tf.Tensor4D;
  readonly labels: ArrayLike<number>;
}

/** Figures of one epoch (epoch 0: the encoder before any step). */
export interface FineTuneEpoch {
  readonly epoch: number;
  /** Mean training triplet loss of the epoch's steps (NaN for epoch 0). */
  readonly loss: number;
  /** Validation EER and AUC over all pairs of the validation people. */
  readonly validationEer: number;
  readonly validationAuc: number;
  /** Mean validation triplet loss over all (a, p, n), on distances divided by their mean (scale-free; the tie-breaker). */
  readonly validationLoss: number;
  /**
   * Share of the keep-best guard's bootstrap resamples in which this
   * epoch's validation EER is below epoch 0's (NaN for epoch 0).
   */
  readonly confidence: number;
  /** Whether the net now holds this epoch's weights (the kept epoch so far). */
  readonly best: boolean;
  readonly seconds: number;
}

/** Options of `fineTune` (triplet objective, `select: { validation }`). */
export interface FineTuneFaceResNetOptions {
  /** Validation faces of people NOT in the training set: scored every epoch; the best epoch is kept. */
  validation: LabelledFaces;
  /** Online mining. @defaultValue `'batch-hard'` */
  strategy?: 'batch-hard' | 'semi-hard';
  /** Triplet margin. @defaultValue `0.1` (on plain L2: the dlib descriptors put the same person below ≈ 0.6) */
  margin?: number;
  /** @defaultValue `'l2'` */
  metric?: TripletMetric;
  /** Copies of each training image whose frozen features are cached: the original plus n − 1 augmented ones. @defaultValue `4` */
  augmentations?: number;
  /** Augmentation of the copies. @defaultValue `{ maxShift: 4, brightness: 0.1 }` */
  augment?: Omit<AugmentFacesOptions, 'seed'>;
  /** @defaultValue `8` */
  epochs?: number;
  /** @defaultValue `15` */
  stepsPerEpoch?: number;
  /** P identities × K images per batch. @defaultValue `8` and `4` */
  p?: number;
  k?: number;
  /** Adam learning rate of the unfrozen backbone stages. @defaultValue `1e-5` */
  backboneLearningRate?: number;
  /** Adam learning rate of the projection (`fc`, the head). @defaultValue `1e-4` */
  headLearningRate?: number;
  /** Stop after this many epochs without a better validation score (kept or not). @defaultValue `2` */
  patience?: number;
  /**
   * The keep-best guard: an epoch replaces the starting weights only when
   * it beats the best kept epoch on the validation EER (ties: validation
   * loss) AND a paired bootstrap of the validation set finds its EER below
   * epoch 0's in at least `minConfidence` of `resamples` resamples (of the
   * validation people by default, see {@link KeepBestOptions}; seeded,
   * deterministic). A few validation people cannot resolve small
   * differences; the guard keeps the pretrained weights unless the gain is
   * significant. `{ minConfidence: 0 }` keeps any point-estimate gain.
   * @defaultValue `{ minConfidence: 0.95, resamples: 1000, unit: 'identity', seed: options.seed }`
   */
  keepBest?: KeepBestOptions;
  /**
   * First epoch number when resuming from weights alone (saved with
   * `saveFaceResNet` at that epoch; the optimiser starts afresh). Prefer
   * `checkpoint`, which also restores the optimiser. @defaultValue `0`
   */
  initialEpoch?: number;
  /**
   * Saves, after every `every` epochs and after the last one, everything a
   * resumed run needs to continue exactly as if it had not stopped: the
   * trainable weights, the best epoch's weights, both Adam optimisers'
   * moments and step counts, the batch sampler's and the augmentation
   * choice's random state, early-stopping counters and the history. The
   * store replaces its checkpoint atomically (`fileCheckpointStore`: temp
   * file + rename; a crash leaves the previous checkpoint). When `resume`
   * (default) and the store holds a checkpoint, training continues from it
   * to epoch `initialEpoch + epochs` — call again with the same options
   * after an interruption. Start from the same pretrained net and data.
   */
  checkpoint?: { store: CheckpointStore; every?: number; resume?: boolean };
  /** @defaultValue `0` */
  seed?: number;
  /**
   * Score the validation people with test-time flip averaging, each
   * embedding ½·(f(x) + f(mirror x)) as `flipAveragedEncoder` gives: choose
   * the kept epoch by the embeddings you will deploy when you deploy with
   * flip averaging. Costs one more frozen pass per validation image.
   * @defaultValue `false`
   */
  validationFlip?: boolean;
  /** Called after every epoch. */
  onEpoch?: (e: FineTuneEpoch) => void;
  /** Called when an epoch beats the best so far (e.g. `saveFaceResNet(net, handler, {metadata: {epoch}})`). */
  onBest?: (net: FaceResNet, e: FineTuneEpoch) => Promise<void> | void;
}

/** What `fineTune` (triplet objective, `select: { validation }`) returns. */
export interface FineTuneResult {
  readonly history: FineTuneEpoch[];
  /** The epoch whose weights the net now holds (0: fine-tuning never beat the pretrained weights). */
  readonly bestEpoch: number;
  readonly stoppedEarly: boolean;
  /** Seconds spent caching frozen features, and in total. */
  readonly cacheSeconds: number;
  readonly seconds: number;
}

/** Trainer state of a fine-tuning checkpoint (the JSON part). */
interface FineTuneCheckpointState {
  kind: 'fine-tune-face-resnet';
  trainableStages: number;
  /** Last completed epoch. */
  epoch: number;
  stoppedEarly: boolean;
  sampler: PKSamplerState;
  rng: number;
  best: { eer: number; auc: number; loss: number };
  /** The best score seen, kept or not (early stopping). */
  bestSeen: { eer: number; auc: number; loss: number };
  /** Epoch 0's validation pair distances (the guard's baseline). */
  baseline: number[];
  bestEpoch: number;
  since: number;
  history: FineTuneEpoch[];
  /** Trainable variables (names without the instance prefix), in order. */
  variables: string[];
  /** Tensor names of each optimiser's getWeights(), in order. */
  optimizers: { head: string[]; backbone: string[] };
}

/** @internal Throws unless `net` is a FaceResNet with something to train (argument `net` of `fn`). */
export function checkFineTunableNet(fn: string, net: unknown): asserts net is FaceResNet {
  const n = net as Partial<FaceResNet> | null | undefined;
  if (n == null || typeof n.frozenFeatures !== 'function' || typeof n.trainableVariables !== 'function') {
    throw new InvalidArgumentError({ fn, argument: 'net', message: 'expected a fine-tunable FaceResNet (FaceResNet.fromPretrained(net, { trainableStages })).' });
  }
  if (n.trainableVariables().length === 0) {
    throw new InvalidArgumentError({ fn, argument: 'net', message: 'the FaceResNet is frozen; fine-tune a copy made with FaceResNet.fromPretrained(net, { trainableStages }).' });
  }
}

/** @internal Checks labelled aligned face crops. */
export function checkFaces(fn: string, argument: string, f: LabelledFaces): void {
  if (f == null || !(f.images instanceof tf.Tensor)) throw new InvalidArgumentError({ fn, argument, message: 'expected {images: tf.Tensor4D [N,150,150,3], labels}.' });
  if (f.images.rank !== 4 || f.images.shape[1] !== 150 || f.images.shape[2] !== 150 || f.images.shape[3] !== 3) {
    throw new ShapeError({ fn, argument: `${argument}.images`, expected: '[N,150,150,3] aligned crops in [0,1]', actual: f.images.shape });
  }
  if (f.labels == null || f.labels.length !== f.images.shape[0]) {
    throw new InvalidArgumentError({ fn, argument: `${argument}.labels`, message: `expected one label per image (${f.images.shape[0]}), got ${f.labels?.length}.` });
  }
}

/** Puts a checkpoint's weights and optimiser state into place; returns its JSON state and the best epoch's weights (new tensors). */
async function restoreCheckpoint(
  saved: SerializedCheckpoint, net: FaceResNet, vars: tf.Variable[], stable: (v: tf.Variable) => string, optHead: tf.Optimizer, optBackbone: tf.Optimizer,
): Promise<{ state: FineTuneCheckpointState; snapshot: tf.Tensor[] }> {
  const state = saved.manifest?.state as unknown as FineTuneCheckpointState | undefined;
  const fail = (message: string): never => {
    throw new CheckpointCorruptError({ path: 'checkpoint.json', message: `${message} Use a new checkpoint directory (or resume: false) for a different run.` });
  };
  if (state?.kind !== 'fine-tune-face-resnet') fail('the checkpoint is not one of fineTune with a triplet objective.');
  const st = state!;
  if (!Array.isArray(st.baseline) || st.bestSeen == null) fail('the checkpoint predates the keep-best guard (no baseline distances).');
  if (st.trainableStages !== net.trainableStages) fail(`the checkpoint has ${st.trainableStages} trainable stages, the net ${net.trainableStages}.`);
  const names = vars.map(stable);
  if (st.variables.length !== names.length || st.variables.some((v, i) => v !== names[i])) fail('the checkpoint\'s variables are not this net\'s.');
  const map = decodeCheckpointWeights(saved);
  try {
    const get = (key: string, shape: readonly number[]): tf.Tensor => {
      const t = map[key];
      if (!t || t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) fail(`"${key}" is ${t ? `[${t.shape}]` : 'missing'}, expected [${shape}].`);
      return t!;
    };
    const weights = vars.map((v) => get(`weights/${stable(v)}`, v.shape));
    const best = vars.map((v) => get(`best/${stable(v)}`, v.shape));
    const opt = (prefix: string, list: string[]) => list.map((name, i) => {
      const t = map[`${prefix}/${i}`];
      if (!t) fail(`"${prefix}/${i}" (optimiser state) is missing.`);
      return { name: name === 'iter' ? name : `${net.uid}/${name}`, tensor: t! };
    });
    const head = opt('optimizer/head', st.optimizers.head), backbone = opt('optimizer/backbone', st.optimizers.backbone);
    vars.forEach((v, i) => v.assign(weights[i]!));
    await optHead.setWeights(head);
    await optBackbone.setWeights(backbone);
    return { state: st, snapshot: best.map((t) => tf.clone(t)) };
  } finally {
    tf.dispose(Object.values(map));
  }
}

const better = validationScoreBetter;

/**
 * Fine-tunes a {@link FaceResNet} (the pretrained dlib ResNet
 * with its last k stages unfrozen) on one's own people with the triplet
 * loss and online batch-hard or semi-hard mining over P×K batches:
 * - the frozen stages run once per image and augmented copy (flip, shift,
 *   brightness; `augmentations` copies), and only the unfrozen top is
 *   trained on the cached activations;
 * - two Adam optimisers: a lower learning rate for the unfrozen backbone
 *   stages than for the projection (`fc`);
 * - every epoch, the validation people's EER (ties: mean triplet loss) is
 *   measured; the best epoch's weights are kept (epoch 0 = the weights it
 *   started with, so it never ends worse on validation) and training stops
 *   after `patience` epochs without improvement;
 * - keep-best guard (`keepBest`, on by default): a fine-tuned epoch replaces
 *   epoch 0 only if a paired bootstrap over the validation people puts its
 *   EER below epoch 0's in ≥ 95 % of 1000 resamples.
 * The net ends holding the best weights. Inputs are not disposed.
 *
 * @example
 * ```ts
 * const ft = FaceResNet.fromPretrained(await loadFaceResNetFromFaceApi(), { trainableStages: 3 });
 * const r = await fineTuneFaceResNet(ft, { images: train, labels }, { validation: { images: val, labels: valLabels } });
 * // train [N,150,150,3]; r.bestEpoch, r.history; then saveFaceResNet(ft, handler)
 * ```
 */
export async function fineTuneFaceResNet(net: FaceResNet, train: LabelledFaces, options: FineTuneFaceResNetOptions): Promise<FineTuneResult> {
  const fn = 'fineTune';
  checkFineTunableNet(fn, net);
  checkFaces(fn, 'train', train);
  if (options == null) throw new InvalidArgumentError({ fn, argument: 'options.validation', message: 'a validation set of other people is required (it decides which epoch is kept).' });
  checkFaces(fn, 'options.validation', options.validation);
  const strategy = options.strategy ?? 'batch-hard';
  if (strategy !== 'batch-hard' && strategy !== 'semi-hard') throw new InvalidArgumentError({ fn, argument: 'options.strategy', message: `expected 'batch-hard' or 'semi-hard', got ${String(strategy)}.` });
  const margin = options.margin ?? 0.1, metric = options.metric ?? 'l2';
  const A = options.augmentations ?? 4, epochs = options.epochs ?? 8, steps = options.stepsPerEpoch ?? 15;
  const patience = options.patience ?? 2, seed = options.seed ?? 0, first = options.initialEpoch ?? 0;
  for (const [name, v, min] of [['augmentations', A, 1], ['epochs', epochs, 0], ['stepsPerEpoch', steps, 1], ['patience', patience, 1], ['initialEpoch', first, 0]] as const) {
    if (!Number.isInteger(v) || v < min) throw new InvalidArgumentError({ fn, argument: `options.${name}`, message: `expected an integer ≥ ${min}, got ${String(v)}.` });
  }
  const ckpt = options.checkpoint;
  if (ckpt !== undefined && (ckpt == null || ckpt.store == null || typeof ckpt.store.save !== 'function' || typeof ckpt.store.load !== 'function')) {
    throw new InvalidArgumentError({ fn, argument: 'options.checkpoint.store', message: 'expected a CheckpointStore with save() and load(), e.g. fileCheckpointStore(dir).' });
  }
  const every = ckpt?.every ?? 1;
  if (!Number.isInteger(every) || every < 1) throw new InvalidArgumentError({ fn, argument: 'options.checkpoint.every', message: `expected an integer ≥ 1 (epochs), got ${String(every)}.` });
  const lrBackbone = options.backboneLearningRate ?? 1e-5, lrHead = options.headLearningRate ?? 1e-4;
  if (!(lrBackbone >= 0 && lrHead > 0)) throw new InvalidArgumentError({ fn, argument: 'options.backboneLearningRate', message: 'learning rates must be ≥ 0 (backbone) and > 0 (head).' });
  const trainer = createTripletEpochTrainer(net, {
    labels: train.labels, copies: A, strategy, margin, metric, p: options.p ?? 8, k: options.k ?? 4, stepsPerEpoch: steps,
    backboneLearningRate: lrBackbone, headLearningRate: lrHead, seed,
  });
  const { sampler, rnd, optHead, optBackbone } = trainer;
  const guard = resolveKeepBest(options.keepBest, fn, seed);
  const vl = options.validation.labels, pairLabels: ValidationPairLabels & { a: number[]; b: number[] } = { a: [], b: [] };
  for (let i = 0; i < vl.length; i++) for (let j = i + 1; j < vl.length; j++) { pairLabels.a.push(vl[i]!); pairLabels.b.push(vl[j]!); }

  const t0 = Date.now();
  let feats: tf.Tensor4D | undefined, valFeats: tf.Tensor4D | undefined, valMirror: tf.Tensor4D | undefined;
  const vars = net.trainableVariables();
  let snapshot: tf.Tensor[] = vars.map((v) => tf.clone(v));
  try {
    feats = cacheAugmentedFeatures(net, train.images, { augmentations: A, augment: options.augment, seed });
    valFeats = net.frozenFeatures(options.validation.images);
    if (options.validationFlip) {
      const m = tf.reverse(options.validation.images, 2) as tf.Tensor4D;
      valMirror = net.frozenFeatures(m);
      m.dispose();
    }
    const cacheSeconds = (Date.now() - t0) / 1000;

    let history: FineTuneEpoch[] = [];
    let t = Date.now();
    const last = first + epochs;
    const stable = (v: tf.Variable) => (v.name.startsWith(`${net.uid}/`) ? v.name.slice(net.uid.length + 1) : v.name);
    const saved = ckpt && ckpt.resume !== false ? await ckpt.store.load() : null;
    let best: { eer: number; auc: number; loss: number }, bestSeen: { eer: number; auc: number; loss: number }, baseline: number[], bestEpoch: number, since = 0, stoppedEarly = false, start: number, finished = false;
    if (saved) {
      const st = await restoreCheckpoint(saved, net, vars, stable, optHead, optBackbone);
      tf.dispose(snapshot);
      snapshot = st.snapshot;
      ({ best, bestSeen, baseline, bestEpoch, since, stoppedEarly } = st.state);
      finished = since >= patience; // early-stopped: nothing left to do (a longer run would have stopped there too)
      history = st.state.history.map((h) => ({ ...h, loss: h.loss ?? NaN, confidence: h.confidence ?? NaN }));
      sampler.setState(st.state.sampler);
      rnd.state = st.state.rng;
      start = st.state.epoch + 1;
    } else {
      const s0 = validationScore(net, valFeats, options.validation.labels, margin, metric, valMirror);
      best = bestSeen = { eer: s0.eer, auc: s0.auc, loss: s0.loss }; baseline = s0.d; bestEpoch = first; start = first + 1;
      const e0: FineTuneEpoch = { epoch: first, loss: NaN, validationEer: s0.eer, validationAuc: s0.auc, validationLoss: s0.loss, confidence: NaN, best: true, seconds: (Date.now() - t) / 1000 };
      history.push(e0);
      options.onEpoch?.(e0);
    }
    const save = async (epoch: number) => {
      const head_ = await optHead.getWeights(), back = await optBackbone.getWeights();
      const rename = (prefix: string, list: { name: string; tensor: tf.Tensor }[]) => list.map((w, i) => ({ name: `${prefix}/${i}`, tensor: w.tensor }));
      const state: FineTuneCheckpointState = {
        kind: 'fine-tune-face-resnet', trainableStages: net.trainableStages, epoch, stoppedEarly,
        sampler: sampler.getState(), rng: rnd.state, best, bestSeen, baseline, bestEpoch, since,
        history: history.map((h) => ({ ...h, loss: (Number.isFinite(h.loss) ? h.loss : null) as number, confidence: (Number.isFinite(h.confidence) ? h.confidence : null) as number })),
        variables: vars.map(stable),
        optimizers: { head: head_.map((w) => w.name.replace(`${net.uid}/`, '')), backbone: back.map((w) => w.name.replace(`${net.uid}/`, '')) },
      };
      const tensors = [
        ...vars.map((v) => ({ name: `weights/${stable(v)}`, tensor: v as tf.Tensor })),
        ...snapshot.map((v, i) => ({ name: `best/${stable(vars[i]!)}`, tensor: v })),
        ...rename('optimizer/head', head_), ...rename('optimizer/backbone', back),
      ];
      try {
        await ckpt!.store.save(await encodeCheckpoint(epoch, state as unknown as Record<string, unknown>, tensors));
      } finally {
        tf.dispose([head_[0]!.tensor, back[0]!.tensor]); // the iteration counters are new scalars; moments are the optimiser's own
      }
    };
    for (let epoch = start; epoch <= last && !finished; epoch++) {
      t = Date.now();
      const meanLoss = trainer.trainEpoch(feats);
      const sc = validationScore(net, valFeats, options.validation.labels, margin, metric, valMirror);
      const guarded = bootstrapEerImprovement(baseline, sc.d, pairLabels, { ...guard, seed: guard.seed * 1000 + epoch });
      const isBest = better(sc, best) && guarded.accepted;
      const score = { eer: sc.eer, auc: sc.auc, loss: sc.loss };
      if (better(sc, bestSeen)) { bestSeen = score; since = 0; } else since++;
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
