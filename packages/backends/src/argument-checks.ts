import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from './errors/invalid-argument-error';

/**
 * Argument checks that throw the typed likeness errors.
 *
 * The face packages (embeddings, triplet, siamese-binary) check their public
 * arguments with these, so the same mistake gives the same
 * `InvalidArgumentError` (naming `fn` and `argument`) and the same wording
 * in each of them. Plugin and package authors can use them
 * to throw the same errors from their own functions.
 */

/** Options of {@link assertNumber}; every bound is optional. */
export interface NumberCheckOptions {
  /** Smallest accepted value (inclusive unless `exclusiveMin`). Default: no lower bound. */
  min?: number;
  /** Largest accepted value (inclusive). Default: no upper bound. */
  max?: number;
  /** Only accept integers. Default: `false`. */
  integer?: boolean;
  /** Make `min` exclusive (`> min` instead of `≥ min`). Default: `false`. */
  exclusiveMin?: boolean;
}

/**
 * Throws an `InvalidArgumentError` unless `x` is a live (not disposed)
 * `tf.Tensor`. Any rank or dtype passes; check those yourself (e.g. with a
 * `ShapeError`).
 *
 * @param x the value to check.
 * @param fn the public function being called, e.g. `'gramMatrix'`.
 * @param argument the parameter's name, e.g. `'images'` or `'options.margin'`.
 * @throws InvalidArgumentError "expected a tf.Tensor, got …" or "the tensor
 *   was already disposed; keep it alive until the call returns."
 *
 * @example
 * ```ts
 * const images = tf.zeros([2, 8, 8, 3]);      // [2,8,8,3]
 * assertTensor(images, 'myOp', 'images');     // passes
 * assertTensor([1, 2], 'myOp', 'images');     // throws: myOp: invalid `images`: expected a tf.Tensor, got an array of length 2.
 * ```
 */
export function assertTensor(x: unknown, fn: string, argument: string): asserts x is tf.Tensor {
  if (!(x instanceof tf.Tensor)) {
    throw new InvalidArgumentError({ fn, argument, message: `expected a tf.Tensor, got ${describeValue(x)}.` });
  }
  if (x.isDisposed) {
    throw new InvalidArgumentError({ fn, argument, message: 'the tensor was already disposed; keep it alive until the call returns.' });
  }
}

/**
 * Throws an `InvalidArgumentError` unless `v` is a finite number within the
 * given bounds. The message states the accepted range, e.g.
 * "expected an integer ≥ 1 ≤ 10, got 0.5." or "expected a finite number > 0, got NaN."
 *
 * @param v the value to check.
 * @param fn the public function being called.
 * @param argument the parameter's name, e.g. `'options.margin'`.
 * @param opts bounds: `min` (default none), `max` (default none),
 *   `integer` (default `false`), `exclusiveMin` (default `false`).
 * @throws InvalidArgumentError when `v` is not a number, not finite, not an
 *   integer when `integer` is set, or out of range.
 *
 * @example
 * ```ts
 * assertNumber(0.2, 'tripletLoss', 'options.margin', { min: 0 });                  // passes
 * assertNumber(0, 'pkSampler', 'options.k', { min: 0, exclusiveMin: true });       // throws: … expected a finite number > 0, got 0.
 * assertNumber(2.5, 'pkSampler', 'options.p', { integer: true, min: 1 });          // throws: … expected an integer ≥ 1, got 2.5.
 * ```
 */
export function assertNumber(v: unknown, fn: string, argument: string, opts: NumberCheckOptions = {}): asserts v is number {
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (opts.integer !== true || Number.isInteger(v)) &&
    (opts.min === undefined || (opts.exclusiveMin ? v > opts.min : v >= opts.min)) &&
    (opts.max === undefined || v <= opts.max);
  if (!ok) {
    const range = [opts.integer ? 'an integer' : 'a finite number', opts.min !== undefined ? `${opts.exclusiveMin ? '>' : '≥'} ${opts.min}` : '', opts.max !== undefined ? `≤ ${opts.max}` : '']
      .filter(Boolean)
      .join(' ');
    throw new InvalidArgumentError({ fn, argument, message: `expected ${range}, got ${describeValue(v)}.` });
  }
}

/**
 * Throws an `InvalidArgumentError` unless `v` is one of the strings in
 * `allowed` (compared with `===`).
 *
 * @param v the value to check.
 * @param allowed the accepted values, listed in the message in this order.
 * @param fn the public function being called.
 * @param argument the parameter's name.
 * @throws InvalidArgumentError "expected one of 'a', 'b', got …"
 *
 * @example
 * ```ts
 * assertOneOf('hard', ['all', 'hard', 'semi-hard'] as const, 'mineTriplets', 'options.strategy'); // passes
 * assertOneOf('easy', ['all', 'hard'] as const, 'mineTriplets', 'options.strategy');
 * // throws: mineTriplets: invalid `options.strategy`: expected one of 'all', 'hard', got "easy".
 * ```
 */
export function assertOneOf<T extends string>(v: unknown, allowed: readonly T[], fn: string, argument: string): asserts v is T {
  if (!allowed.includes(v as T)) {
    throw new InvalidArgumentError({ fn, argument, message: `expected one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describeValue(v)}.` });
  }
}

/**
 * A short description of a value for an error message ("got …"): numbers as
 * written, strings quoted (cut to 40 characters), arrays by length, objects
 * by constructor name (so a tensor reads `Tensor`), `null`/`undefined`, and
 * otherwise the `typeof`. Never prints a large value in full.
 *
 * @example
 * ```ts
 * describeValue(3);                 // '3'
 * describeValue('abc');             // '"abc"'
 * describeValue([1, 2, 3]);         // 'an array of length 3'
 * describeValue(tf.zeros([2, 2]));  // 'Tensor'  ([2,2])
 * describeValue(new Map());         // 'Map'
 * describeValue(undefined);         // 'undefined'
 * ```
 */
export function describeValue(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (typeof x === 'number') return String(x);
  if (typeof x === 'string') return JSON.stringify(x.length > 40 ? x.slice(0, 40) + '…' : x);
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'an object';
  return typeof x;
}
