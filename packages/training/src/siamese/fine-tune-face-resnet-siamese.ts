import * as tf from '@tensorflow/tfjs-core';
import { assertNumber, InvalidArgumentError, ShapeError } from '@likeness/backends';
import { type AugmentFacesOptions, type FaceResNet, checkIdentityLabels } from '@likeness/embeddings';
import { bootstrapEerImprovement, resolveKeepBest, validationScoreBetter, type KeepBestOptions } from '../fine-tune/keep-best-guard';
import { cacheAugmentedFeatures } from '../fine-tune/cache-augmented-features';
import { allPairs, createBalancedPairSampler, type VerificationHead } from '@likeness/siamese-binary';
import { createSiameseEpochTrainer, resolveSiameseLearningRates, siameseValidationScore as validationScore } from './siamese-epoch-trainer';

/** Labelled aligned face crops [N,150,150,3] in [0,1]. */
export interface SiameseFaces {
  readonly images: tf.Tensor4D;
  readonly labels: ArrayLike<number>;
}

/** Figures of one epoch (epoch 0: before any step). */
export interface SiameseFineTuneEpoch {
  readonly epoch: number;
  /** Mean training binary cross-entropy of the epoch's steps (NaN for epoch 0: no step yet). */
  readonly loss: number;
  /** EER and AUC of the head's score ŷ over all pairs of the validation people. */
  readonly validationEer: number;
  readonly validationAuc: number;
  /** Mean binary cross-entropy over all validation pairs, each class weighted ½ (the tie-breaker). */
  readonly validationLoss: number;
  /**
   * Share of the keep-best guard's bootstrap resamples in which this
   * epoch's validation EER is below epoch 0's (NaN for epoch 0).
   */
  readonly confidence: number;
  /** Whether the net and head now hold this epoch's weights (the kept epoch so far). */
  readonly best: boolean;
  readonly seconds: number;
}

/** Options of `fineTune` (siamese objective, `select: { validation }`). */
export interface FineTuneSiameseOptions {
  /** Validation faces of people NOT in the training set: scored every epoch; the best epoch is kept. */
  validation: SiameseFaces;
  /** Copies of each training image whose frozen features are cached: the original plus n − 1 augmented ones. @defaultValue `4` */
  augmentations?: number;
  /** Augmentation of the copies (flip, shift, brightness). @defaultValue `{ maxShift: 4, brightness: 0.1 }` */
  augment?: Omit<AugmentFacesOptions, 'seed'>;
  /** @defaultValue `8` */
  epochs?: number;
  /** @defaultValue `15` */
  stepsPerEpoch?: number;
  /** Pairs per step. @defaultValue `32` */
  batchSize?: number;
  /** Share of same-person pairs per batch. @defaultValue `0.5` */
  positiveFraction?: number;
  /** Adam learning rate of the unfrozen backbone stages. @defaultValue `1e-5` */
  backboneLearningRate?: number;
  /** Adam learning rate of the projection (`fc`). @defaultValue `1e-4` */
  projectionLearningRate?: number;
  /** Adam learning rate of the verification head (w, b). @defaultValue `1e-3` */
  headLearningRate?: number;
  /** Stop after this many epochs without a better validation score (kept or not). @defaultValue `2` */
  patience?: number;
  /**
   * The keep-best guard (shared with `fineTuneFaceResNet`): an epoch
   * replaces the starting net and head only when it beats the best kept
   * epoch on the validation EER of the head's score (ties: validation BCE)
   * AND a paired bootstrap of the validation set finds its EER below epoch
   * 0's in at least `minConfidence` of `resamples` resamples (of the
   * validation people by default, see `KeepBestOptions`; seeded,
   * deterministic). `{ minConfidence: 0 }` keeps any point-estimate gain.
   * @defaultValue `{ minConfidence: 0.95, resamples: 1000, unit: 'identity', seed: options.seed }`
   */
  keepBest?: KeepBestOptions;
  /** @defaultValue `0` */
  seed?: number;
  /** Called after every epoch. */
  onEpoch?: (e: SiameseFineTuneEpoch) => void;
}

/** What `fineTune` (siamese objective, `select: { validation }`) returns. */
export interface SiameseFineTuneResult {
  readonly history: SiameseFineTuneEpoch[];
  /** The epoch whose weights the net and head now hold (0: the starting weights). */
  readonly bestEpoch: number;
  readonly stoppedEarly: boolean;
  /** Seconds spent caching frozen features, and in total. */
  readonly cacheSeconds: number;
  readonly seconds: number;
}

/** @internal Checks labelled aligned face crops; returns the labels. */
export function checkFaces(fn: string, argument: string, f: SiameseFaces): Int32Array {
  if (f == null || !(f.images instanceof tf.Tensor)) throw new InvalidArgumentError({ fn, argument, message: 'expected {images: tf.Tensor4D [N,150,150,3], labels}.' });
  if (f.images.rank !== 4 || f.images.shape[1] !== 150 || f.images.shape[2] !== 150 || f.images.shape[3] !== 3) {
    throw new ShapeError({ fn, argument: `${argument}.images`, expected: '[N,150,150,3] aligned crops in [0,1]', actual: f.images.shape });
  }
  return checkIdentityLabels(f.labels, f.images.shape[0], fn, `${argument}.labels`);
}

/** @internal Checks that `net` is a FaceResNet and `head` a VerificationHead of its embedding size. */
export function checkNetAndHead(fn: string, net: FaceResNet, head: VerificationHead): void {
  if (net == null || typeof (net as Partial<FaceResNet>).frozenFeatures !== 'function') {
    throw new InvalidArgumentError({ fn, argument: 'net', message: 'expected a FaceResNet (FaceResNet.fromPretrained(net)).' });
  }
  if (head == null || typeof (head as Partial<VerificationHead>).logits !== 'function') {
    throw new InvalidArgumentError({ fn, argument: 'head', message: 'expected a VerificationHead (createVerificationHead({ embeddingSize: 128 })).' });
  }
  if (head.embeddingSize !== net.embeddingSize) {
    throw new ShapeError({ fn, argument: 'head', expected: `a head for ${net.embeddingSize}-d embeddings`, actual: `embeddingSize ${head.embeddingSize}` });
  }
}

const better = validationScoreBetter;

/**
 * Siamese fine-tuning of the pretrained dlib ResNet itself: its last k
 * residual stages and projection (a {@link FaceResNet}) learn
 * together with a {@link VerificationHead} from binary cross-entropy on
 * balanced same/different pairs — the siamese-binary counterpart of
 * `fineTuneFaceResNet` (triplets) in `@likeness/triplet`:
 * - the frozen stages run once per image and augmented copy and only the
 *   unfrozen top is trained on the cached activations; each pair takes a
 *   random copy of each of its images;
 * - three Adam optimisers: backbone stages < projection < verification head;
 * - every epoch the head's EER over all pairs of the validation people is
 *   measured (ties: class-balanced BCE); the best epoch's weights (net and
 *   head) are kept, epoch 0 being the starting weights, and training stops
 *   after `patience` epochs without improvement;
 * - keep-best guard (`keepBest`, on by default): a fine-tuned epoch replaces
 *   epoch 0 only if a paired bootstrap over the validation people puts its
 *   EER below epoch 0's in ≥ 95 % of 1000 resamples.
 * Start from a head trained on the frozen embeddings (`trainHead`): a
 * random head's gradients would first push the encoder around for nothing.
 * The net and head end holding the best weights. Inputs are not disposed.
 *
 * @example
 * ```ts
 * const ft = FaceResNet.fromPretrained(await loadFaceResNetFromFaceApi(), { trainableStages: 3 });
 * const head = createVerificationHead({ embeddingSize: 128 });
 * await trainHead(head, embedImages(ft, train), trainLabels);  // train [N,150,150,3] → [N,128]
 * const r = await fineTuneFaceResNetSiamese(ft, head, { images: train, labels: trainLabels }, { validation: { images: val, labels: valLabels } });
 * // r.bestEpoch; head.predict(ft.encode(a), ft.encode(b)) → [M] same-person probabilities
 * ```
 */
export async function fineTuneFaceResNetSiamese(
  net: FaceResNet, head: VerificationHead, train: SiameseFaces, options: FineTuneSiameseOptions,
): Promise<SiameseFineTuneResult> {
  const fn = 'fineTune';
  checkNetAndHead(fn, net, head);
  const trainLabels = checkFaces(fn, 'train', train);
  if (options == null) throw new InvalidArgumentError({ fn, argument: 'options.validation', message: 'a validation set of other people is required (it decides which epoch is kept).' });
  const valLabels = checkFaces(fn, 'options.validation', options.validation);
  const A = options.augmentations ?? 4, epochs = options.epochs ?? 8, steps = options.stepsPerEpoch ?? 15, patience = options.patience ?? 2, seed = options.seed ?? 0;
  assertNumber(A, fn, 'options.augmentations', { integer: true, min: 1 });
  assertNumber(epochs, fn, 'options.epochs', { integer: true, min: 0 });
  assertNumber(steps, fn, 'options.stepsPerEpoch', { integer: true, min: 1 });
  assertNumber(patience, fn, 'options.patience', { integer: true, min: 1 });
  assertNumber(seed, fn, 'options.seed', { integer: true });
  const learningRates = resolveSiameseLearningRates(options, fn);
  createBalancedPairSampler(trainLabels, { batchSize: options.batchSize ?? 32, positiveFraction: options.positiveFraction, seed }); // checks the options before the feature cache
  const guard = resolveKeepBest(options.keepBest, fn, seed);
  const valPairs = allPairs(valLabels);
  const pairLabels = { a: Array.from(valPairs.left, (i) => valLabels[i]!), b: Array.from(valPairs.right, (i) => valLabels[i]!) };

  const t0 = Date.now();
  let feats: tf.Tensor4D | undefined, valFeats: tf.Tensor4D | undefined;
  const all = [...net.trainableVariables(), ...head.trainableVariables()];
  let snapshot: tf.Tensor[] = all.map((v) => tf.clone(v));
  const trainer = createSiameseEpochTrainer(net, head, {
    labels: trainLabels, copies: A, stepsPerEpoch: steps, batchSize: options.batchSize ?? 32, positiveFraction: options.positiveFraction,
    ...learningRates, seed,
  });
  try {
    feats = cacheAugmentedFeatures(net, train.images, { augmentations: A, augment: options.augment, seed });
    valFeats = net.frozenFeatures(options.validation.images);
    const cacheSeconds = (Date.now() - t0) / 1000;

    const history: SiameseFineTuneEpoch[] = [];
    let t = Date.now();
    const s0 = validationScore(net, head, valFeats, valLabels);
    let best = s0, bestSeen = s0, bestEpoch = 0, since = 0, stoppedEarly = false;
    const e0: SiameseFineTuneEpoch = { epoch: 0, loss: NaN, validationEer: s0.eer, validationAuc: s0.auc, validationLoss: s0.loss, confidence: NaN, best: true, seconds: (Date.now() - t) / 1000 };
    history.push(e0);
    options.onEpoch?.(e0);
    for (let epoch = 1; epoch <= epochs; epoch++) {
      t = Date.now();
      const meanLoss = trainer.trainEpoch(feats);
      const sc = validationScore(net, head, valFeats, valLabels);
      const guarded = bootstrapEerImprovement(s0.d, sc.d, pairLabels, { ...guard, seed: guard.seed * 1000 + epoch });
      const isBest = better(sc, best) && guarded.accepted;
      if (better(sc, bestSeen)) { bestSeen = sc; since = 0; } else since++;
      if (isBest) {
        best = sc; bestEpoch = epoch;
        tf.dispose(snapshot);
        snapshot = all.map((v) => tf.clone(v));
      }
      const rec: SiameseFineTuneEpoch = { epoch, loss: meanLoss, validationEer: sc.eer, validationAuc: sc.auc, validationLoss: sc.loss, confidence: guarded.confidence, best: isBest, seconds: (Date.now() - t) / 1000 };
      history.push(rec);
      options.onEpoch?.(rec);
      if (since >= patience) { stoppedEarly = epoch < epochs; break; }
    }
    all.forEach((v, i) => v.assign(snapshot[i]!));
    return { history, bestEpoch, stoppedEarly, cacheSeconds, seconds: (Date.now() - t0) / 1000 };
  } finally {
    tf.dispose(snapshot);
    if (feats) feats.dispose();
    if (valFeats) valFeats.dispose();
    trainer.dispose();
  }
}
