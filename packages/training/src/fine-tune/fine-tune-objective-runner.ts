import type * as tf from '@tensorflow/tfjs-core';

/** @internal Scores of all pairs (i < j, row-major) of labelled validation images. */
export interface FineTuneScore {
  readonly eer: number;
  readonly auc: number;
  /** The tie-breaker (lower is better). */
  readonly loss: number;
  /** Pair distances (lower = more alike), in pair order. */
  readonly d: number[];
}

/** @internal A checkpoint tensor. */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** @internal An objective's epoch trainer on cached frozen features. */
export interface FineTuneEpochTrainer {
  /** Trains one epoch on the feature cache [A·N,h,w,c]; returns the mean training loss of its steps. */
  trainEpoch(features: tf.Tensor4D): number;
  /**
   * What a checkpoint holds besides the weights (absent: the objective does
   * not checkpoint): JSON state, tensors (optimiser slots; names not
   * starting with `weights/` or `best/`) and temporaries to free once saved.
   */
  saveState?(): Promise<{ state: Record<string, unknown>; tensors: NamedTensor[]; temporaries: tf.Tensor[] }>;
  /** Puts back what {@link saveState} saved; `fail(message)` throws `CheckpointCorruptError`. */
  restoreState?(state: Record<string, unknown>, tensors: Record<string, tf.Tensor>, fail: (message: string) => never): Promise<void>;
  /** Frees the optimisers (not the net). */
  dispose(): void;
}

/**
 * @internal What an objective supplies to the one fine-tune loop
 * (`fineTuneOnValidation`, `fineTuneCrossValidated`): everything that
 * differs between the triplet objective and the siamese head — the loss on
 * a batch (inside its epoch trainer), what it trains besides the net, its
 * checkpoint extras and its validation score.
 */
export interface FineTuneObjectiveRunner {
  /** Every variable training changes: the net's trainable ones, then the objective's own (the siamese head). */
  readonly variables: tf.Variable[];
  /** Checkpoint kind (state.kind); absent when the objective does not checkpoint. */
  readonly checkpointKind?: string;
  /** Throws unless images with these labels fill the objective's batches (checked before the slow feature cache). */
  checkBatches(labels: Int32Array): void;
  /** Readies a run on `rows` before its epoch trainer starts (the siamese head refitted on their frozen embeddings). */
  prepare?(labels: Int32Array, rows: Int32Array, seed: number, features: tf.Tensor4D): Promise<void>;
  /** An epoch trainer on the images `rows` (all when omitted). */
  trainer(labels: Int32Array, rows: Int32Array | undefined, seed: number): FineTuneEpochTrainer;
  /** Scores all pairs of labelled frozen features (`mirrored`: their mirror images', averaged in). */
  score(features: tf.Tensor4D, labels: Int32Array, mirrored?: tf.Tensor4D): FineTuneScore;
}
