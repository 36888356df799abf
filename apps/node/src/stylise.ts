import * as tf from '@tensorflow/tfjs-core';
import { styleTransfer, type FeatureExtractor, type StyleTransferRunOptions } from '@likeness/nst';
import { loadDefaultExtractor } from '@likeness/nst/node';
import type { RgbImage } from './image-io';

/** RGB bytes → [1,H,W,3] float32 in [0,1]. */
export function toUnitTensor(image: RgbImage): tf.Tensor4D {
  return tf.tidy(() => tf.div(tf.tensor4d(Float32Array.from(image.data), [1, image.height, image.width, 3]), 255));
}

/** [1,H,W,3] in [0,1] → RGB bytes (clipped, rounded). */
export async function fromUnitTensor(image: tf.Tensor4D): Promise<RgbImage> {
  const [, height, width] = image.shape;
  const bytes = tf.tidy(() => tf.cast(tf.round(tf.mul(tf.clipByValue(image, 0, 1), 255)), 'int32'));
  const data = Uint8Array.from(await bytes.data());
  bytes.dispose();
  return { data, width, height };
}

/**
 * Splits a total iteration count over coarse-to-fine scales, in proportion to
 * 1/scale (coarse levels are cheap: `[0.5, 1]` gets 2:1). The parts sum to `total`.
 *
 * @example
 * ```ts
 * splitIterations(100, [0.5, 1]); // [67, 33]
 * ```
 */
export function splitIterations(total: number, scales: readonly number[]): number[] {
  const w = scales.map((s) => 1 / s);
  const sum = w.reduce((a, b) => a + b, 0);
  const parts = w.map((x) => Math.round((total * x) / sum));
  parts[parts.length - 1] = total - parts.slice(0, -1).reduce((a, b) => a + b, 0);
  return parts;
}

/** Engine options passed through to `styleTransfer` unchanged. */
type PassThrough = Pick<
  StyleTransferRunOptions,
  'contentWeight' | 'styleWeight' | 'tvWeight' | 'init' | 'seed' | 'optimizer' | 'learningRate' | 'learningRateWarmup' | 'styleScale' | 'preserveColors'
>;

export interface StyliseOptions extends PassThrough {
  /**
   * A total split over `scales` by {@link splitIterations}, or one count per scale.
   * @defaultValue 100
   */
  iterations?: number | readonly number[];
  /** Coarse-to-fine fractions of the content size, ascending, ending at 1. @defaultValue [0.5, 1] */
  scales?: readonly number[];
  /** Blend weight of each style image (normalised by the engine). @defaultValue equal */
  styleBlendWeights?: readonly number[];
  /** The backbone; the caller keeps ownership. @defaultValue nsfwjs MobileNetV2 (loaded and disposed here) */
  extractor?: FeatureExtractor;
  /** After every iteration: iterations done over all scales, their total, the loss. */
  onProgress?: (done: number, total: number, loss: number) => void;
  /** With `imageEvery` > 0: the current image every that many iterations (counted over all scales). */
  onImage?: (done: number, image: RgbImage) => void | Promise<void>;
  /** @defaultValue 0 (never) */
  imageEvery?: number;
  signal?: AbortSignal;
}

/**
 * Neural style transfer with @likeness/nst, coarse to fine, from RGB bytes to
 * RGB bytes (the content's size). One style image or several, blended.
 *
 * @example
 * ```ts
 * const out = await stylise(content, [style], { iterations: 60 }); // RgbImage, content's size
 * ```
 */
export async function stylise(content: RgbImage, styles: RgbImage | readonly RgbImage[], options: StyliseOptions = {}): Promise<RgbImage> {
  const list = Array.isArray(styles) ? (styles as readonly RgbImage[]) : [styles as RgbImage];
  const scales = options.scales ?? [0.5, 1];
  const its = options.iterations ?? 100;
  const iterations = typeof its === 'number' ? splitIterations(its, scales) : [...its];
  const total = iterations.reduce((a, b) => a + b, 0);
  const every = options.imageEvery ?? 0;
  const extractor = options.extractor ?? (await loadDefaultExtractor());
  const c = toUnitTensor(content);
  const s = list.map(toUnitTensor);
  let done = 0;
  try {
    const { image } = await styleTransfer({
      extractor,
      content: c,
      styles: s.map((image, i) => ({ image, weight: options.styleBlendWeights?.[i] })),
      scales,
      iterations,
      contentWeight: options.contentWeight,
      styleWeight: options.styleWeight,
      tvWeight: options.tvWeight,
      init: options.init,
      seed: options.seed,
      optimizer: options.optimizer,
      learningRate: options.learningRate,
      learningRateWarmup: options.learningRateWarmup,
      styleScale: options.styleScale,
      preserveColors: options.preserveColors,
      signal: options.signal,
      progressEvery: every > 0 && options.onImage ? 1 : 0,
      onProgress: async (e) => {
        done++;
        options.onProgress?.(done, total, e.loss);
        if (every > 0 && options.onImage && e.image && done % every === 0 && done < total) {
          await options.onImage(done, await fromUnitTensor(e.image));
        }
      },
    });
    try {
      return await fromUnitTensor(image);
    } finally {
      image.dispose();
    }
  } finally {
    tf.dispose([c, ...s]);
    if (!options.extractor) extractor.dispose();
  }
}
