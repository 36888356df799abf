import type * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, ShapeError } from '@likeness/backends';
import * as tfc from '@tensorflow/tfjs-core';

/** Checks that `x` is a float tensor of rank 3 ([H,W,C]) or 4 ([N,H,W,C]) with no zero dimension. */
export function checkActivation(x: unknown, fn: string, argument: string): tf.Tensor3D | tf.Tensor4D {
  if (!(x instanceof tfc.Tensor)) {
    throw new InvalidArgumentError({
      fn,
      argument,
      message: `expected a tf.Tensor of shape [H,W,C] or [N,H,W,C], got ${x === null ? 'null' : typeof x}.`,
    });
  }
  if (x.isDisposed) {
    throw new InvalidArgumentError({ fn, argument, message: 'the tensor was already disposed; pass a live tensor.' });
  }
  if (x.rank !== 3 && x.rank !== 4) {
    throw new ShapeError({
      fn,
      argument,
      expected: 'rank 3 [H,W,C] or rank 4 [N,H,W,C]',
      actual: x.shape,
      hint: 'Activations are NHWC; add a batch axis with tf.expandDims(x, 0) or reshape to [H,W,C].',
    });
  }
  if (x.shape.some((d: number) => d === 0)) {
    throw new ShapeError({ fn, argument, expected: 'a tensor with no zero-size dimension', actual: x.shape });
  }
  if (x.dtype !== 'float32') {
    throw new InvalidArgumentError({ fn, argument, message: `expected dtype float32, got ${x.dtype}; cast with tf.cast(x, 'float32').` });
  }
  return x as tf.Tensor3D | tf.Tensor4D;
}

/** Throws unless `a` and `b` have the same shape. */
export function checkSameShape(a: tf.Tensor, b: tf.Tensor, fn: string, argument: string, other: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new ShapeError({
      fn,
      argument,
      expected: `the same shape as \`${other}\` [${b.shape.join(',')}]`,
      actual: a.shape,
      hint: 'Take both activations from the same layer of images of the same size.',
    });
  }
}

/** Throws unless `v` is a finite number ≥ `min` (or > min when `strict`). */
export function checkNumber(v: unknown, fn: string, argument: string, min = 0, strict = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (strict ? v <= min : v < min)) {
    throw new InvalidArgumentError({
      fn,
      argument,
      message: `expected a finite number ${strict ? '>' : '≥'} ${min}, got ${String(v)}.`,
    });
  }
  return v;
}
