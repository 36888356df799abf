import type * as tf from '@tensorflow/tfjs-core';

/**
 * Anything that maps a batch of images to embeddings: f(x) → ℝᴰ, no softmax.
 *
 * Images are NHWC float32 in [0, 1] unless the encoder documents otherwise;
 * `encode` is synchronous, returns a new tensor the caller owns, and never
 * disposes its input. The trainers of `@likeness/training` train any Encoder
 * through `trainableVariables()` and checkpoint its `stateVariables()`.
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
  /**
   * State that is not trained but changes in training mode — batch-norm
   * moving statistics — by stable name, so a trainer can checkpoint and
   * restore it with the weights. Leave it out when there is none (frozen
   * encoders, encoders without batch norm). The variables are the
   * encoder's own: do not dispose them.
   */
  stateVariables?(): {
    /** Stable name (the checkpoint key), e.g. `block0/bn/moving_mean`. */
    name: string;
    /** The encoder's own variable: do not dispose it. */
    variable: tf.Variable;
  }[];
  /** Frees every tensor the encoder holds. */
  dispose(): void;
}
