import * as tf from '@tensorflow/tfjs-core';
import { assertTensor, InvalidArgumentError, ShapeError } from '@likeness/backends';
import type { FaceResNet } from '@likeness/embeddings';
import { cacheAugmentedFeatures, type CacheAugmentedFeaturesOptions } from './cache-augmented-features';
import { checkFineTunableNet } from './labelled-faces';
import { checkCrossValidationOptions, crossValidateFineTuning, type CrossValidateFineTuningOptions, type CrossValidationResult, type FineTuningMethod, type ValidationScores } from './cross-validate-fine-tuning';

/** A fine-tuning run on cached frozen features (see {@link CachedFeaturesMethod.begin}). */
export interface CachedFeaturesSession {
  /** Trains one epoch on the cached features; returns its mean training loss. */
  trainEpoch(): number | Promise<number>;
  /**
   * Scores every pair (i < j) of the validation images, given their cached
   * features `features` (copy 0, the original images, in the order of the
   * validation rows) and their `labels`: `distances` (lower = more alike)
   * and a scale-free validation loss (the last tie-breaker). `features` is
   * freed after the call.
   */
  scoreFeatures(features: tf.Tensor4D, labels: Int32Array): ValidationScores;
  /** Frees the session's optimisers (not the net, not the cache). */
  dispose(): void;
}

/** A fine-tuner as {@link crossValidateOnCachedFeatures} drives it: a `FineTuningMethod` whose runs receive the feature cache. */
export interface CachedFeaturesMethod {
  /** Identity of each training image (one per image). */
  readonly labels: ArrayLike<number>;
  /** Every variable training changes; their values at the call are the starting weights of every fold and of the final fit. */
  readonly variables: readonly tf.Variable[];
  /**
   * Starts training on the images `rows` from the current weights, seeded
   * by `seed`; `features` [A·N,h,w,c] is the cache of all N training images'
   * frozen features (rows `[a·N, (a+1)·N)`: copy a, copy 0 the originals),
   * owned by {@link crossValidateOnCachedFeatures} and alive until it returns.
   */
  begin(rows: Int32Array, seed: number, features: tf.Tensor4D): CachedFeaturesSession | Promise<CachedFeaturesSession>;
}

/** What {@link crossValidateOnCachedFeatures} returns: the cross-validation's result and the feature cache's time. */
export interface CachedCrossValidationResult extends CrossValidationResult {
  /** Seconds spent caching the frozen features of all training images and their augmented copies (once, shared by every fold and the final fit). */
  readonly cacheSeconds: number;
}

/**
 * `crossValidateFineTuning` of a fine-tuner of a {@link FaceResNet}
 * on cached frozen features: the frozen stages run once over all training
 * `images` and their augmented copies (`cacheAugmentedFeatures` with
 * `cacheOptions`), every fold and the final fit train on that cache
 * (`method.begin(rows, seed, features)`), a fold's validation images are
 * scored from their copy-0 rows (`session.scoreFeatures(features, labels)`),
 * and the cache is freed when the call ends, also when it throws. `seconds`
 * includes the cache's time. Inputs are not disposed; the method's
 * variables end holding the final fit.
 *
 * @example
 * ```ts
 * // images [N,150,150,3]; method.begin(rows, seed, feats) builds an epoch trainer on feats [4N,h,w,c]
 * const r = await crossValidateOnCachedFeatures(ft, images, { augmentations: 4, seed: 0 }, { folds: 5, epochs: 5, seed: 0 }, method);
 * r.chosenEpoch; r.cacheSeconds; // ft now holds the final fit
 * ```
 */
export async function crossValidateOnCachedFeatures(
  net: FaceResNet, images: tf.Tensor4D, cacheOptions: CacheAugmentedFeaturesOptions, cvOptions: CrossValidateFineTuningOptions, method: CachedFeaturesMethod,
): Promise<CachedCrossValidationResult> {
  const fn = 'crossValidateOnCachedFeatures';
  checkFineTunableNet(fn, net);
  assertTensor(images, fn, 'images');
  if (images.rank !== 4) throw new ShapeError({ fn, argument: 'images', expected: 'a batch of images [N,H,W,C]', actual: images.shape });
  if (method == null || typeof method.begin !== 'function' || !Array.isArray(method.variables) || method.labels == null) {
    throw new InvalidArgumentError({ fn, argument: 'method', message: 'expected a CachedFeaturesMethod { labels, variables, begin(rows, seed, features) }.' });
  }
  if (method.labels.length !== images.shape[0]) {
    throw new InvalidArgumentError({ fn, argument: 'method.labels', message: `expected one label per image (${images.shape[0]}), got ${method.labels.length}.` });
  }
  checkCrossValidationOptions(cvOptions ?? {}, fn); // fail before the (slow) cache
  const labels = method.labels;

  const t0 = Date.now();
  const feats = cacheAugmentedFeatures(net, images, cacheOptions);
  const cacheSeconds = (Date.now() - t0) / 1000;
  try {
    const inner: FineTuningMethod = {
      labels,
      variables: method.variables,
      async begin(rows, seed) {
        const session = await method.begin(rows, seed, feats);
        return {
          trainEpoch: () => session.trainEpoch(),
          score(valRows) {
            const f = tf.gather(feats, valRows) as tf.Tensor4D; // copy 0: the original images
            try {
              return session.scoreFeatures(f, Int32Array.from(valRows, (r) => labels[r]!));
            } finally {
              f.dispose();
            }
          },
          dispose: () => session.dispose(),
        };
      },
    };
    const r = await crossValidateFineTuning(inner, cvOptions);
    return { ...r, cacheSeconds, seconds: (Date.now() - t0) / 1000 };
  } finally {
    feats.dispose();
  }
}
