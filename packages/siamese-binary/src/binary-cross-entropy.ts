import * as tf from '@tensorflow/tfjs-core';
import { assertOneOf, assertTensor, describeValue, InvalidArgumentError, ShapeError } from '@likeness/backends';
import { EmptyBatchError } from './errors/empty-batch-error';

/** @internal Labels → Float32Array of 0/1, checked. */
export function checkBinaryLabels(labels: unknown, n: number, fn: string, argument = 'labels'): Float32Array {
  let arr: ArrayLike<unknown>;
  if (labels instanceof tf.Tensor) {
    if (labels.rank !== 1) throw new ShapeError({ fn, argument, expected: 'a vector [N] of 0/1 labels', actual: labels.shape });
    arr = labels.dataSync() as ArrayLike<number>;
  } else if (labels != null && typeof labels === 'object' && typeof (labels as ArrayLike<unknown>).length === 'number') {
    arr = labels as ArrayLike<unknown>;
  } else {
    throw new InvalidArgumentError({ fn, argument, message: `expected 0/1 labels (1 = same person), got ${describeValue(labels)}.` });
  }
  if (arr.length === 0) throw new EmptyBatchError({ fn, argument });
  if (arr.length !== n) throw new ShapeError({ fn, argument, expected: `one label per pair (${n})`, actual: [arr.length] });
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = arr[i];
    const x = v === true ? 1 : v === false ? 0 : v;
    if (x !== 0 && x !== 1) {
      throw new InvalidArgumentError({ fn, argument, message: `labels must be 0 (different people) or 1 (same person) (booleans accepted); ${argument}[${i}] is ${describeValue(v)}.` });
    }
    out[i] = x;
  }
  return out;
}

/**
 * Binary cross-entropy from logits z = Σ wₖxₖ + b, computed stably as
 * max(z,0) − z·y + log(1 + e^−|z|). Labels: 1 = same person, 0 = different.
 *
 * @example
 * ```ts
 * const L = binaryCrossEntropyWithLogits(z, [1, 0, 0]); // z [3] → scalar (mean)
 * ```
 */
export function binaryCrossEntropyWithLogits(
  logits: tf.Tensor1D, labels: ArrayLike<number | boolean> | tf.Tensor1D, options: { reduction?: 'mean' | 'sum' | 'none' } = {},
): tf.Tensor {
  const fn = 'binaryCrossEntropyWithLogits';
  assertTensor(logits, fn, 'logits');
  if (logits.rank !== 1) throw new ShapeError({ fn, argument: 'logits', expected: 'a vector [N] of logits, one per pair', actual: logits.shape });
  if (logits.shape[0] === 0) throw new EmptyBatchError({ fn, argument: 'logits' });
  const y = checkBinaryLabels(labels, logits.shape[0], fn);
  const reduction = options.reduction ?? 'mean';
  assertOneOf(reduction, ['mean', 'sum', 'none'] as const, fn, 'options.reduction');
  return tf.tidy(() => {
    const z = logits;
    const per = tf.add(tf.sub(tf.relu(z), tf.mul(z, tf.tensor1d(y))), tf.log1p(tf.exp(tf.neg(tf.abs(z)))));
    if (reduction === 'none') return per;
    return reduction === 'sum' ? tf.sum(per) : tf.mean(per);
  });
}
