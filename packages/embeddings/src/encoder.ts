import type * as tf from '@tensorflow/tfjs-core';

/**
 * Anything that maps a batch of images to embeddings: f(x) → ℝᴰ, no softmax.
 *
 * Images are NHWC float32 in [0, 1] unless the encoder documents otherwise;
 * `encode` is synchronous, returns a new tensor the caller owns, and never
 * disposes its input. Trainers (triplet, siamese-binary) train any Encoder
 * through `trainableVariables()`.
 *
 * @example
 * ```ts
 * const enc = createCompactEncoder({ inputShape: [112, 92, 1] });
 * const e = enc.encode(images); // images [N,112,92,1] → e [N,128]
 * enc.dispose();
 * ```
 */
export interface Encoder {
  /** [height, width, channels] the encoder expects. */
  readonly inputShape: readonly [number, number, number];
  /** D, the embedding length. */
  readonly embeddingSize: number;
  /** Whether `encode` L2-normalises its output. */
  readonly normalized: boolean;
  /**
   * Embeds a batch. `training: true` makes batch-norm layers use batch
   * statistics and update their moving averages.
   */
  encode(images: tf.Tensor4D, options?: { training?: boolean }): tf.Tensor2D;
  /** The variables an optimiser may change (empty for a frozen encoder). */
  trainableVariables(): tf.Variable[];
  /** Frees every tensor the encoder holds. */
  dispose(): void;
}
