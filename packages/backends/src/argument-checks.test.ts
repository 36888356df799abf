import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import {
  assertNumber,
  assertOneOf,
  assertTensor,
  describeValue,
  InvalidArgumentError,
  LikenessError,
  useBackend,
} from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';

beforeAll(async () => {
  await useBackend('cpu');
});

/** Runs `f`, expects it to throw, returns the error. */
function thrown(f: () => void): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

function expectInvalid(f: () => void, fn: string, argument: string, message: string): void {
  const e = thrown(f);
  expect(InvalidArgumentError.isInstance(e)).toBe(true);
  expect(LikenessError.isInstance(e)).toBe(true);
  expect(e).toBeInstanceOf(InvalidArgumentError);
  const err = e as InvalidArgumentError;
  expect(err.name).toBe('LikenessInvalidArgumentError');
  expect(err.code).toBe('LIKENESS_INVALID_ARGUMENT');
  expect(err.fn).toBe(fn);
  expect(err.argument).toBe(argument);
  expect(err.message).toBe(message);
}

describe('describeValue', () => {
  it('describes each kind of value briefly', () => {
    expect(describeValue(null)).toBe('null');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(3)).toBe('3');
    expect(describeValue(-0.5)).toBe('-0.5');
    expect(describeValue(NaN)).toBe('NaN');
    expect(describeValue(Infinity)).toBe('Infinity');
    expect(describeValue('abc')).toBe('"abc"');
    expect(describeValue('a"b')).toBe('"a\\"b"');
    expect(describeValue('x'.repeat(41))).toBe(`"${'x'.repeat(40)}…"`);
    expect(describeValue('y'.repeat(40))).toBe(`"${'y'.repeat(40)}"`);
    expect(describeValue([])).toBe('an array of length 0');
    expect(describeValue([1, 2, 3])).toBe('an array of length 3');
    expect(describeValue(new Float32Array(2))).toBe('Float32Array');
    expect(describeValue(new Map())).toBe('Map');
    expect(describeValue({})).toBe('Object');
    expect(describeValue(Object.create(null))).toBe('an object');
    expect(describeValue(true)).toBe('boolean');
    expect(describeValue(() => 1)).toBe('function');
    expect(describeValue(10n)).toBe('bigint');
    const t = tf.zeros([2, 2]);
    expect(describeValue(t)).toBe('Tensor');
    t.dispose();
  });
});

describe('assertTensor', () => {
  it('passes a live tensor of any rank and dtype', () => {
    const a = tf.scalar(1);
    const b = tf.zeros([2, 3, 4], 'int32');
    expect(() => assertTensor(a, 'f', 'x')).not.toThrow();
    expect(() => assertTensor(b, 'f', 'x')).not.toThrow();
    tf.dispose([a, b]);
  });

  it('refuses non-tensors, naming the function and argument', () => {
    expectInvalid(() => assertTensor([1, 2], 'gramMatrix', 'x'), 'gramMatrix', 'x', 'gramMatrix: invalid `x`: expected a tf.Tensor, got an array of length 2.');
    expectInvalid(() => assertTensor(null, 'embed', 'images'), 'embed', 'images', 'embed: invalid `images`: expected a tf.Tensor, got null.');
    expectInvalid(() => assertTensor(undefined, 'embed', 'images'), 'embed', 'images', 'embed: invalid `images`: expected a tf.Tensor, got undefined.');
    expectInvalid(() => assertTensor(new Float32Array(4), 'f', 'a'), 'f', 'a', 'f: invalid `a`: expected a tf.Tensor, got Float32Array.');
  });

  it('refuses a disposed tensor', () => {
    const t = tf.ones([2]);
    t.dispose();
    expectInvalid(
      () => assertTensor(t, 'tripletLoss', 'anchor'),
      'tripletLoss',
      'anchor',
      'tripletLoss: invalid `anchor`: the tensor was already disposed; keep it alive until the call returns.',
    );
  });
});

describe('assertNumber', () => {
  it('passes finite numbers within the bounds (inclusive unless exclusiveMin)', () => {
    expect(() => assertNumber(0, 'f', 'a')).not.toThrow();
    expect(() => assertNumber(-1e9, 'f', 'a')).not.toThrow();
    expect(() => assertNumber(0, 'f', 'a', { min: 0 })).not.toThrow();
    expect(() => assertNumber(1, 'f', 'a', { max: 1 })).not.toThrow();
    expect(() => assertNumber(1e-9, 'f', 'a', { min: 0, exclusiveMin: true })).not.toThrow();
    expect(() => assertNumber(4, 'f', 'a', { integer: true, min: 1, max: 4 })).not.toThrow();
    expect(() => assertNumber(2.5, 'f', 'a', { min: 1, max: 4 })).not.toThrow();
  });

  it('refuses non-numbers and non-finite numbers', () => {
    expectInvalid(() => assertNumber('1', 'f', 'options.margin'), 'f', 'options.margin', 'f: invalid `options.margin`: expected a finite number, got "1".');
    expectInvalid(() => assertNumber(NaN, 'f', 'options.margin', { min: 0 }), 'f', 'options.margin', 'f: invalid `options.margin`: expected a finite number ≥ 0, got NaN.');
    expectInvalid(() => assertNumber(Infinity, 'f', 'a'), 'f', 'a', 'f: invalid `a`: expected a finite number, got Infinity.');
    expectInvalid(() => assertNumber(undefined, 'f', 'a', { integer: true }), 'f', 'a', 'f: invalid `a`: expected an integer, got undefined.');
  });

  it('states the range it wanted', () => {
    expectInvalid(() => assertNumber(-0.1, 'tripletLoss', 'options.margin', { min: 0 }), 'tripletLoss', 'options.margin', 'tripletLoss: invalid `options.margin`: expected a finite number ≥ 0, got -0.1.');
    expectInvalid(() => assertNumber(0, 'f', 'a', { min: 0, exclusiveMin: true }), 'f', 'a', 'f: invalid `a`: expected a finite number > 0, got 0.');
    expectInvalid(() => assertNumber(1.5, 'f', 'a', { max: 1 }), 'f', 'a', 'f: invalid `a`: expected a finite number ≤ 1, got 1.5.');
    expectInvalid(() => assertNumber(2.5, 'pkSampler', 'options.k', { integer: true, min: 1, max: 10 }), 'pkSampler', 'options.k', 'pkSampler: invalid `options.k`: expected an integer ≥ 1 ≤ 10, got 2.5.');
    expectInvalid(() => assertNumber(11, 'f', 'a', { integer: true, min: 1, max: 10 }), 'f', 'a', 'f: invalid `a`: expected an integer ≥ 1 ≤ 10, got 11.');
    // exclusiveMin without min changes nothing
    expectInvalid(() => assertNumber(2, 'f', 'a', { exclusiveMin: true, max: 1 }), 'f', 'a', 'f: invalid `a`: expected a finite number ≤ 1, got 2.');
  });
});

describe('assertOneOf', () => {
  const allowed = ['all', 'hard', 'semi-hard'] as const;

  it('passes each allowed value', () => {
    for (const v of allowed) expect(() => assertOneOf(v, allowed, 'f', 'a')).not.toThrow();
  });

  it('refuses anything else, listing the allowed values in order', () => {
    expectInvalid(
      () => assertOneOf('easy', allowed, 'mineTriplets', 'options.strategy'),
      'mineTriplets',
      'options.strategy',
      "mineTriplets: invalid `options.strategy`: expected one of 'all', 'hard', 'semi-hard', got \"easy\".",
    );
    expectInvalid(() => assertOneOf('HARD', allowed, 'f', 'a'), 'f', 'a', "f: invalid `a`: expected one of 'all', 'hard', 'semi-hard', got \"HARD\".");
    expectInvalid(() => assertOneOf(1, ['x'], 'f', 'a'), 'f', 'a', "f: invalid `a`: expected one of 'x', got 1.");
    expectInvalid(() => assertOneOf(undefined, ['x', 'y'], 'f', 'a'), 'f', 'a', "f: invalid `a`: expected one of 'x', 'y', got undefined.");
  });
});

describe('leaks', () => {
  it('no check allocates a tensor, passing or throwing', async () => {
    const t = tf.zeros([2, 3]);
    await expectNoLeaks(() => {
      assertTensor(t, 'f', 'x');
      assertNumber(1, 'f', 'a', { min: 0 });
      assertOneOf('a', ['a'], 'f', 'a');
      describeValue(t);
      for (const bad of [() => assertTensor(1, 'f', 'x'), () => assertNumber(-1, 'f', 'a', { min: 0 }), () => assertOneOf('b', ['a'], 'f', 'a')]) {
        expect(bad).toThrow(InvalidArgumentError);
      }
    });
    t.dispose();
  });
});
