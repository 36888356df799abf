import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@likeness/backends';
import { augmentFaces, type AugmentFacesOptions, type FaceResNet } from '@likeness/embeddings';

/** Options of {@link cacheAugmentedFeatures}. */
export interface CacheAugmentedFeaturesOptions {
  /** Copies of each image: the original plus n − 1 augmented ones. @defaultValue `4` */
  augmentations?: number;
  /** Augmentation of the copies. @defaultValue `{ maxShift: 4, brightness: 0.1 }` */
  augment?: Omit<AugmentFacesOptions, 'seed'>;
  /** Copy a (≥ 1) is augmented with seed `seed · 1009 + a`. @defaultValue `0` */
  seed?: number;
}

/**
 * The frozen stages of a {@link FaceResNet} run once over every
 * training image and its augmented copies: rows `[a·N, (a+1)·N)` hold copy
 * `a` of the N images, copy 0 being the originals. The fine-tuners train
 * the unfrozen top on these rows only, so one cache serves a plain
 * fine-tuning, every fold of a cross-validation and its final fit alike.
 * Inputs are not disposed; the caller owns the result.
 *
 * @example
 * ```ts
 * const feats = cacheAugmentedFeatures(ft, images, { augmentations: 4, seed: 0 }); // [N,150,150,3] → [4N,4,4,256] (k = 3)
 * ```
 */
export function cacheAugmentedFeatures(net: FaceResNet, images: tf.Tensor4D, options: CacheAugmentedFeaturesOptions = {}): tf.Tensor4D {
  const fn = 'cacheAugmentedFeatures';
  const A = options.augmentations ?? 4, seed = options.seed ?? 0;
  if (!Number.isInteger(A) || A < 1) throw new InvalidArgumentError({ fn, argument: 'options.augmentations', message: `expected an integer ≥ 1, got ${String(A)}.` });
  if (!Number.isInteger(seed)) throw new InvalidArgumentError({ fn, argument: 'options.seed', message: `expected an integer, got ${String(seed)}.` });
  const copies: tf.Tensor4D[] = [];
  try {
    for (let a = 0; a < A; a++) {
      const img = a === 0 ? images : augmentFaces(images, { maxShift: 4, brightness: 0.1, ...options.augment, seed: seed * 1009 + a });
      try {
        copies.push(net.frozenFeatures(img));
      } finally {
        if (img !== images) img.dispose();
      }
    }
    return copies.length === 1 ? copies.pop()! : (tf.concat(copies, 0) as tf.Tensor4D);
  } finally {
    tf.dispose(copies);
  }
}
