import * as tf from '@tensorflow/tfjs-core';
import { assertTensor, describeValue, InvalidArgumentError, ShapeError } from '@likeness/backends';

/**
 * Throws a `ShapeError` naming `fn` and `argument` unless `x` is a batch of
 * embeddings [N,D]. For losses, miners and heads built on `Encoder` output.
 *
 * @example
 * ```ts
 * assertEmbeddings(e, 'myLoss', 'embeddings'); // e is now typed tf.Tensor2D
 * ```
 */
export function assertEmbeddings(x: unknown, fn: string, argument: string): asserts x is tf.Tensor2D {
  assertTensor(x, fn, argument);
  if (x.rank !== 2) throw new ShapeError({ fn, argument, expected: 'a batch of embeddings [N,D]', actual: x.shape });
}

/**
 * Checks integer identity labels, one per row of an [N,…] batch, given as an
 * array, typed array or rank-1 tensor, and returns them as an `Int32Array`.
 * Throws `InvalidArgumentError` / `ShapeError` naming `fn` and `argument`.
 *
 * @example
 * ```ts
 * const ids = checkIdentityLabels(labels, images.shape[0], 'mySampler'); // Int32Array
 * ```
 */
export function checkIdentityLabels(labels: unknown, n: number, fn: string, argument = 'labels'): Int32Array {
  let arr: ArrayLike<number>;
  if (labels instanceof tf.Tensor) {
    if (labels.rank !== 1) throw new ShapeError({ fn, argument, expected: 'a vector [N] of integer identity labels', actual: labels.shape });
    arr = labels.dataSync() as ArrayLike<number>;
  } else if (labels != null && typeof labels === 'object' && typeof (labels as ArrayLike<number>).length === 'number') {
    arr = labels as ArrayLike<number>;
  } else {
    throw new InvalidArgumentError({ fn, argument, message: `expected an array of integer identity labels, got ${describeValue(labels)}.` });
  }
  if (arr.length !== n) {
    throw new ShapeError({ fn, argument, expected: `one label per embedding (${n})`, actual: [arr.length] });
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = arr[i];
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      throw new InvalidArgumentError({ fn, argument, message: `labels must be integers (identity ids); labels[${i}] is ${describeValue(v)}.` });
    }
    out[i] = v;
  }
  return out;
}
