import type * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '@likeness/backends';

// The generic checks (assertTensor, assertNumber, assertOneOf, describeValue)
// live in @likeness/backends.

/** @internal Throws a ShapeError unless `x` has one of the given ranks. */
export function assertRank(x: tf.Tensor, ranks: readonly number[], fn: string, argument: string, what: string): void {
  if (!ranks.includes(x.rank)) {
    throw new ShapeError({ fn, argument, expected: what, actual: x.shape });
  }
}
