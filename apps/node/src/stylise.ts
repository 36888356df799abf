import * as tf from '@tensorflow/tfjs-core';
import { styleTransfer } from '@likeness/nst';
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

export interface StyliseOptions {
  /** Iterations in total, split 2:1 between half and full resolution. @defaultValue 100 */
  iterations?: number;
  onProgress?: (done: number, total: number, loss: number) => void;
  signal?: AbortSignal;
}

/**
 * Neural style transfer with @likeness/nst's offline default backbone
 * (nsfwjs's MobileNetV2, ImageNet weights, from node_modules), coarse to fine.
 *
 * @example
 * ```ts
 * const out = await stylise(content, style, { iterations: 60 }); // RgbImage, content's size
 * ```
 */
export async function stylise(content: RgbImage, style: RgbImage, options: StyliseOptions = {}): Promise<RgbImage> {
  const total = options.iterations ?? 100;
  const coarse = Math.round((total * 2) / 3);
  const iterations = [coarse, total - coarse];
  const extractor = await loadDefaultExtractor();
  const c = toUnitTensor(content);
  const s = toUnitTensor(style);
  let done = 0;
  try {
    const { image } = await styleTransfer({
      extractor,
      content: c,
      styles: [s],
      scales: [0.5, 1],
      iterations,
      signal: options.signal,
      onProgress: (e) => options.onProgress?.(++done, total, e.loss),
    });
    try {
      return await fromUnitTensor(image);
    } finally {
      image.dispose();
    }
  } finally {
    tf.dispose([c, s]);
    extractor.dispose();
  }
}
