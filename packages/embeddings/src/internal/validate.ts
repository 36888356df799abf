import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, ShapeError } from '@likeness/backends';

/** @internal Throws unless `x` is a live tf.Tensor. */
export function assertTensor(x: unknown, fn: string, argument: string): asserts x is tf.Tensor {
  if (!(x instanceof tf.Tensor)) {
    throw new InvalidArgumentError({ fn, argument, message: `expected a tf.Tensor, got ${describe(x)}.` });
  }
  if (x.isDisposed) {
    throw new InvalidArgumentError({ fn, argument, message: 'the tensor was already disposed; keep it alive until the call returns.' });
  }
}

/** @internal Throws a ShapeError unless `x` has one of the given ranks. */
export function assertRank(x: tf.Tensor, ranks: readonly number[], fn: string, argument: string, what: string): void {
  if (!ranks.includes(x.rank)) {
    throw new ShapeError({ fn, argument, expected: what, actual: x.shape });
  }
}

/** @internal A finite number check for options. */
export function assertFiniteNumber(v: unknown, fn: string, argument: string, opts: { min?: number; max?: number; integer?: boolean } = {}): asserts v is number {
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (opts.integer !== true || Number.isInteger(v)) &&
    (opts.min === undefined || v >= opts.min) &&
    (opts.max === undefined || v <= opts.max);
  if (!ok) {
    const range = [opts.integer ? 'an integer' : 'a finite number', opts.min !== undefined ? `≥ ${opts.min}` : '', opts.max !== undefined ? `≤ ${opts.max}` : '']
      .filter(Boolean)
      .join(' ');
    throw new InvalidArgumentError({ fn, argument, message: `expected ${range}, got ${describe(v)}.` });
  }
}

/** @internal */
export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (typeof x === 'number') return String(x);
  if (typeof x === 'string') return JSON.stringify(x.length > 40 ? x.slice(0, 40) + '…' : x);
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'an object';
  return typeof x;
}
