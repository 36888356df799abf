import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@likeness/backends';
import type { FeatureExtractor } from './feature-extractor';
import { ImageTooLargeError } from './errors/image-too-large-error';

const PROBE = 96;
/** Backward pass and optimiser state on top of the forward activations. */
const STEP_FACTOR = 2;

/**
 * Estimates the bytes one value+gradient step needs for an image of
 * `height`×`width`: the forward activations saved for the backward pass
 * (everything up to `layers`) measured on a 96×96 probe, scaled by area,
 * times 2 for the gradients. Runs one small value+gradient pass.
 *
 * @example
 * ```ts
 * const bytes = estimateStepBytes(extractor, ['relu4_2', 'relu5_1'], 1024, 768); // number
 * ```
 */
export function estimateStepBytes(extractor: FeatureExtractor, layers: readonly string[], height: number, width: number): number {
  const fn = 'estimateStepBytes';
  for (const [arg, v] of [['height', height], ['width', width]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new InvalidArgumentError({ fn, argument: arg, message: `expected a positive integer, got ${String(v)}.` });
  }
  const before = tf.memory().numBytes;
  let peak = 0;
  tf.tidy(() => {
    const probe = tf.zeros([1, PROBE, PROBE, 3]) as tf.Tensor4D;
    // Inside tf.grad the tensors saved for the backward pass stay alive, so
    // the memory at the end of the forward pass is what a step holds.
    tf.grad((x: tf.Tensor) => {
      const acts = extractor.extract(x as tf.Tensor4D, layers);
      peak = tf.memory().numBytes - before;
      return tf.addN(Object.values(acts).map((a) => tf.sum(a)));
    })(probe);
  });
  return Math.ceil(peak * STEP_FACTOR * ((height * width) / (PROBE * PROBE)));
}

/** Throws ImageTooLargeError when the estimate exceeds the budget. */
export function checkMemory(
  extractor: FeatureExtractor,
  layers: readonly string[],
  height: number,
  width: number,
  budgetBytes: number,
  fn: string,
  argument: string,
): number {
  const need = estimateStepBytes(extractor, layers, height, width);
  if (need > budgetBytes) {
    const side = Math.floor(Math.sqrt((budgetBytes / need) * height * width));
    throw new ImageTooLargeError({
      fn,
      argument,
      estimatedBytes: need,
      budgetBytes,
      hint: `Use a smaller image (about ${side}×${side} pixels fits), drop the shallowest style layers, or raise \`memoryBudgetBytes\` if this machine has the memory.`,
    });
  }
  return need;
}
