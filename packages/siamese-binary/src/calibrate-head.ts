import * as tf from '@tensorflow/tfjs-core';
import { assertNumber } from '@likeness/backends';
import { bestThreshold, type ThresholdAccuracy, assertEmbeddings, checkIdentityLabels } from '@likeness/embeddings';
import type { VerificationHead } from './verification-head';
import { allPairs, type PairBatch } from './pair-sampler';
import { EmptyBatchError } from './errors/empty-batch-error';

/**
 * ŷ for many pairs of stored embeddings, in chunks (no tensor returned).
 *
 * @example
 * ```ts
 * const p = scorePairs(head, db, allPairs(labels)); // db [N,128] → Float32Array [N(N−1)/2]
 * ```
 */
export function scorePairs(head: VerificationHead, embeddings: tf.Tensor2D, pairs: PairBatch, options: { batchSize?: number } = {}): Float32Array {
  const fn = 'scorePairs';
  assertEmbeddings(embeddings, fn, 'embeddings');
  const bs = options.batchSize ?? 4096;
  assertNumber(bs, fn, 'options.batchSize', { integer: true, min: 1 });
  const n = pairs.left.length;
  if (n === 0) throw new EmptyBatchError({ fn, argument: 'pairs' });
  const out = new Float32Array(n);
  for (let s = 0; s < n; s += bs) {
    const l = pairs.left.subarray(s, s + bs);
    const r = pairs.right.subarray(s, s + bs);
    const p = tf.tidy(() => head.predict(tf.gather(embeddings, l), tf.gather(embeddings, r)));
    out.set(p.dataSync(), s);
    p.dispose();
  }
  return out;
}

/**
 * Chooses the head's decision threshold on ŷ from labelled calibration
 * embeddings (all pairs), with `bestThreshold` of @likeness/embeddings
 * (similarity kind: accept when ŷ ≥ threshold).
 *
 * @example
 * ```ts
 * const cal = calibrateHead(head, dbTrain, labelsTrain); // → { threshold, balancedAccuracy, … }
 * ```
 */
export function calibrateHead(
  head: VerificationHead, embeddings: tf.Tensor2D, labels: ArrayLike<number>, options: { criterion?: 'accuracy' | 'balanced-accuracy' } = {},
): ThresholdAccuracy {
  const fn = 'calibrateHead';
  assertEmbeddings(embeddings, fn, 'embeddings');
  const lab = checkIdentityLabels(labels, embeddings.shape[0], fn);
  const pairs = allPairs(lab);
  const p = scorePairs(head, embeddings, pairs);
  return bestThreshold(p, pairs.same, { kind: 'similarity', criterion: options.criterion ?? 'balanced-accuracy' });
}
