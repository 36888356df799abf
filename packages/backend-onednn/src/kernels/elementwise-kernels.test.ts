import '@likeness/backends/cpu';
import { expectNoLeaks, seededValues } from '@likeness/backends/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { describeOnOneDnn, onOneDnn, onNativeLoop } from '../../test/availability';
import { relativeError } from '../../test/reference-conv';
import '../index';
import { ELEMENTWISE_MIN_SIZE } from './elementwise-kernels';

const SHAPE: [number, number, number] = [3, 40, 50]; // 6000 elements: above ELEMENTWISE_MIN_SIZE

describeOnOneDnn('oneDNN elementwise kernels against float64', () => {
  beforeAll(async () => {
    expect(SHAPE.reduce((a, b) => a * b)).toBeGreaterThan(ELEMENTWISE_MIN_SIZE);
  });

  const unary: [string, (x: tf.Tensor) => tf.Tensor, (v: number) => number, number, number][] = [
    ['relu', tf.relu, (v) => Math.max(v, 0), -2, 2],
    ['leakyRelu 0.1', (x) => tf.leakyRelu(x, 0.1), (v) => (v > 0 ? v : 0.1 * v), -2, 2],
    ['relu6', tf.relu6, (v) => Math.min(Math.max(v, 0), 6), -3, 9],
    ['clipByValue [-0.5, 1.5]', (x) => tf.clipByValue(x, -0.5, 1.5), (v) => Math.min(Math.max(v, -0.5), 1.5), -3, 3],
    ['sigmoid', tf.sigmoid, (v) => 1 / (1 + Math.exp(-v)), -6, 6],
    ['tanh', tf.tanh, Math.tanh, -3, 3],
    ['exp', tf.exp, Math.exp, -4, 4],
    ['log', tf.log, Math.log, 0.01, 5],
    ['sqrt', tf.sqrt, Math.sqrt, 0, 5],
    ['square', tf.square, (v) => v * v, -3, 3],
    ['abs', tf.abs, Math.abs, -3, 3],
    ['elu', tf.elu, (v) => (v > 0 ? v : Math.exp(v) - 1), -3, 3],
  ];
  for (const [i, [name, f, ref, lo, hi]] of unary.entries()) {
    it(`${name}`, () => {
      const values = seededValues(SHAPE.reduce((a, b) => a * b), 600 + i, lo, hi);
      const x = tf.tensor(values, SHAPE);
      const y = onOneDnn(() => f(x));
      expect(y.shape).toEqual(SHAPE);
      expect(relativeError(y.dataSync(), Array.from(values, ref))).toBeLessThan(2e-6);
      tf.dispose([x, y]);
    });
  }

  it('step (the relu gradient mask), NaN kept', () => {
    const values = seededValues(6000, 700, -1, 1);
    values[5] = NaN;
    values[6] = 0;
    const x = tf.tensor(values, SHAPE);
    const y = tf.step(x, 0.25);
    const out = y.dataSync();
    expect(out[5]).toBeNaN();
    expect(out[6]).toBe(0.25);
    for (let j = 0; j < values.length; j++) if (j !== 5) expect(out[j]).toBe(values[j]! > 0 ? 1 : 0.25);
    tf.dispose([x, y]);
  });

  // Shapes that broadcast in every way the addon's loop plans for: same shape, a trailing
  // per-channel vector, a scalar, a size-1 last axis, and both operands broadcast.
  const PAIRS: [number[], number[]][] = [
    [SHAPE, SHAPE],
    [SHAPE, [50]],
    [[50], SHAPE],
    [SHAPE, []],
    [[], SHAPE],
    [SHAPE, [3, 40, 1]],
    [[3, 1, 50], [3, 40, 1]],
    [[40, 1], [3, 1, 50]],
  ];
  /** Float64 reference of `f` over the broadcast of `sa` and `sb` (numpy rules, by index arithmetic). */
  function broadcastRef(sa: number[], sb: number[], a: Float32Array, b: Float32Array, f: (u: number, v: number) => number) {
    const out = [3, 40, 50].slice(3 - Math.max(sa.length, sb.length));
    const r = out.length;
    const pad = (s: number[]) => [...Array<number>(r - s.length).fill(1), ...s];
    const [pa, pb] = [pad(sa), pad(sb)];
    const at = (s: number[], vals: Float32Array, idx: number[]) => {
      let k = 0;
      for (let d = 0; d < r; d++) k = k * s[d]! + (s[d] === 1 ? 0 : idx[d]!);
      return vals[k]!;
    };
    const res: number[] = [];
    const idx = Array<number>(r).fill(0);
    for (let n = out.reduce((p, q) => p * q, 1); n > 0; n--) {
      res.push(f(at(pa, a, idx), at(pb, b, idx)));
      for (let d = r - 1; d >= 0 && ++idx[d]! === out[d]; d--) idx[d] = 0;
    }
    return { shape: out, values: res };
  }
  const size = (s: number[]) => s.reduce((p, q) => p * q, 1);

  const ARITHMETIC: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, (u: number, v: number) => number][] = [
    ['add', tf.add, (u, v) => u + v],
    ['sub', tf.sub, (u, v) => u - v],
    ['mul', tf.mul, (u, v) => u * v],
    ['div', tf.div, (u, v) => u / v],
    ['maximum', tf.maximum, Math.max],
    ['minimum', tf.minimum, Math.min],
    ['squaredDifference', tf.squaredDifference, (u, v) => (u - v) ** 2],
  ];
  for (const [k, [name, f, ref]] of ARITHMETIC.entries()) {
    it(`${name} with broadcasting of either or both operands`, () => {
      for (const [j, [sa, sb]] of PAIRS.entries()) {
        const a = seededValues(size(sa), 710 + 10 * k + j, -2, 2);
        const b = seededValues(size(sb), 790 + 10 * k + j, 0.5, 2);
        const y = onNativeLoop(() => f(tf.tensor(a, sa), tf.tensor(b, sb)));
        const want = broadcastRef(sa, sb, a, b, ref);
        expect(y.shape, `${JSON.stringify(sa)} ∘ ${JSON.stringify(sb)}`).toEqual(want.shape);
        expect(relativeError(y.dataSync(), want.values), `${JSON.stringify(sa)} ∘ ${JSON.stringify(sb)}`).toBeLessThan(1e-6);
        y.dispose();
      }
    });
  }

  it('maximum / minimum propagate NaN, as Math.max / Math.min (and the cpu kernel) do', () => {
    const a = seededValues(6000, 720);
    a[3] = NaN;
    const x = tf.tensor(a, SHAPE);
    const b = tf.scalar(0);
    const hi = onNativeLoop(() => tf.maximum(x, b)).dataSync();
    const lo = onNativeLoop(() => tf.minimum(b, x)).dataSync();
    expect(hi[3]).toBeNaN();
    expect(lo[3]).toBeNaN();
    expect(hi[4]).toBe(Math.max(a[4]!, 0));
    tf.dispose([x, b]);
  });

  const COMPARISONS: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, (u: number, v: number) => boolean][] = [
    ['less', tf.less, (u, v) => u < v],
    ['lessEqual', tf.lessEqual, (u, v) => u <= v],
    ['greater', tf.greater, (u, v) => u > v],
    ['greaterEqual', tf.greaterEqual, (u, v) => u >= v],
    ['equal', tf.equal, (u, v) => u === v],
    ['notEqual', tf.notEqual, (u, v) => u !== v],
  ];
  for (const [k, [name, f, ref]] of COMPARISONS.entries()) {
    it(`${name} into bool with broadcasting, ties and NaN as in JavaScript`, () => {
      for (const [j, [sa, sb]] of PAIRS.entries()) {
        // Values on a coarse grid, so that ties (the ≤ / == cases) occur; one NaN.
        const a = seededValues(size(sa), 740 + 10 * k + j, -2, 2).map((v) => Math.round(v * 2) / 2);
        const b = seededValues(size(sb), 770 + 10 * k + j, -2, 2).map((v) => Math.round(v * 2) / 2);
        a[0] = NaN;
        const y = onNativeLoop(() => f(tf.tensor(a, sa), tf.tensor(b, sb)));
        const want = broadcastRef(sa, sb, a, b, (u, v) => (ref(u, v) ? 1 : 0));
        expect(y.dtype).toBe('bool');
        expect(y.shape).toEqual(want.shape);
        expect(Array.from(y.dataSync()), `${JSON.stringify(sa)} vs ${JSON.stringify(sb)}`).toEqual(want.values);
        y.dispose();
      }
    });
  }

  it("relu6's gradient (lessEqual, step, a bool × float32 product) runs natively and matches its definition", () => {
    const v = seededValues(6000, 730, -3, 9);
    const x = tf.tensor(v, SHAPE);
    const dy = seededValues(6000, 731);
    const g = onNativeLoop(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu6(t), tf.tensor(dy, SHAPE))))(x));
    const got = g.dataSync();
    v.forEach((t, i) => expect(got[i]).toBeCloseTo(t > 0 && t <= 6 ? dy[i]! : 0, 6));
    tf.dispose([x, g]);
  });

  it('neg', () => {
    const v = seededValues(6000, 732);
    const y = onOneDnn(() => tf.neg(tf.tensor(v, SHAPE)));
    expect(Array.from(y.dataSync())).toEqual(Array.from(v, (t) => -t));
    y.dispose();
  });

  it('keeps int32 arithmetic exact (the cpu kernel)', () => {
    const a = tf.fill([80, 80], 16777217, 'int32');
    const y = tf.add(a, tf.scalar(1, 'int32'));
    expect(y.dtype).toBe('int32');
    expect(y.dataSync()[0]).toBe(16777218);
    tf.dispose([a, y]);
  });

  it('sum / mean over axes, keepDims or not', () => {
    const v = seededValues(6000, 703);
    const x = tf.tensor(v, SHAPE);
    const ref = (axes: number[], mean: boolean) => {
      const keep = SHAPE.map((d, i) => (axes.includes(i) ? 1 : d));
      const out = new Float64Array(keep.reduce((p, q) => p * q));
      const count = axes.reduce((p, i) => p * SHAPE[i]!, 1);
      for (let i0 = 0; i0 < SHAPE[0]; i0++)
        for (let i1 = 0; i1 < SHAPE[1]; i1++)
          for (let i2 = 0; i2 < SHAPE[2]; i2++) {
            const k = [i0, i1, i2].map((ix, d) => (axes.includes(d) ? 0 : ix));
            out[(k[0]! * keep[1]! + k[1]!) * keep[2]! + k[2]!]! += v[(i0 * SHAPE[1] + i1) * SHAPE[2] + i2]! / (mean ? count : 1);
          }
      return out;
    };
    const s01 = onNativeLoop(() => tf.sum(x, [0, 1]));
    expect(s01.shape).toEqual([50]);
    expect(relativeError(s01.dataSync(), ref([0, 1], false))).toBeLessThan(1e-5);
    const m2 = onNativeLoop(() => tf.mean(x, -1, true));
    expect(m2.shape).toEqual([3, 40, 1]);
    expect(relativeError(m2.dataSync(), ref([2], true))).toBeLessThan(1e-5);
    const m1 = onNativeLoop(() => tf.mean(x, 1));
    expect(m1.shape).toEqual([3, 50]);
    expect(relativeError(m1.dataSync(), ref([1], true))).toBeLessThan(1e-5);
    // Axes 0 and 2 are not adjacent: oneDNN's reduction primitive.
    const s02 = onOneDnn(() => tf.sum(x, [0, 2]));
    expect(s02.shape).toEqual([40]);
    expect(relativeError(s02.dataSync(), ref([0, 2], false))).toBeLessThan(1e-5);
    tf.dispose([m1, s02]);
    const all = tf.sum(x);
    expect(all.shape).toEqual([]);
    // Σ|v| ≈ 3000 in float32: an absolute error of a few 1e-4 is rounding.
    expect(relativeError(all.dataSync(), ref([0, 1, 2], false))).toBeLessThan(1e-4);
    tf.dispose([x, s01, m2, all]);
  });

  it('leaks no tensors', async () => {
    const x = tf.randomNormal(SHAPE);
    await expectNoLeaks(() => {
      tf.dispose(tf.grad((a) => tf.sum(tf.mul(tf.relu(a), tf.sigmoid(a))))(x));
    });
    x.dispose();
  });
});
