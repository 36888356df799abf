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

/** @internal Throws a ShapeError unless `x` is a batch of embeddings [N,D]. */
export function assertEmbeddings(x: unknown, fn: string, argument: string): asserts x is tf.Tensor2D {
  assertTensor(x, fn, argument);
  if (x.rank !== 2) throw new ShapeError({ fn, argument, expected: 'a batch of embeddings [N,D]', actual: x.shape });
}

/** @internal Integer labels, one per row. Returns them as an Int32Array. */
export function checkLabels(labels: unknown, n: number, fn: string, argument = 'labels'): Int32Array {
  let arr: ArrayLike<number>;
  if (labels instanceof tf.Tensor) {
    if (labels.rank !== 1) throw new ShapeError({ fn, argument, expected: 'a vector [N] of integer identity labels', actual: labels.shape });
    arr = labels.dataSync() as ArrayLike<number>;
  } else if (labels != null && typeof labels === 'object' && typeof (labels as ArrayLike<number>).length === 'number') {
    arr = labels as ArrayLike<number>;
  } else {
    throw new InvalidArgumentError({ fn, argument, message: `expected an array of integer identity labels, got ${describe(labels)}.` });
  }
  if (arr.length !== n) {
    throw new ShapeError({ fn, argument, expected: `one label per embedding (${n})`, actual: [arr.length] });
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = arr[i];
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      throw new InvalidArgumentError({ fn, argument, message: `labels must be integers (identity ids); labels[${i}] is ${describe(v)}.` });
    }
    out[i] = v;
  }
  return out;
}

/** @internal A finite number check for options. */
export function assertNumber(v: unknown, fn: string, argument: string, opts: { min?: number; max?: number; integer?: boolean; exclusiveMin?: boolean } = {}): asserts v is number {
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
    throw new InvalidArgumentError({ fn, argument, message: `expected ${range}, got ${describe(v)}.` });
  }
}

/** @internal Throws unless `v` is one of `allowed`. */
export function assertOneOf<T extends string>(v: unknown, allowed: readonly T[], fn: string, argument: string): asserts v is T {
  if (!allowed.includes(v as T)) {
    throw new InvalidArgumentError({ fn, argument, message: `expected one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(v)}.` });
  }
}

/** @internal */
export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (typeof x === 'number') return String(x);
  if (typeof x === 'string') return JSON.stringify(x.length > 40 ? x.slice(0, 40) + '…' : x);
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'an object';
  return typeof x;
}
