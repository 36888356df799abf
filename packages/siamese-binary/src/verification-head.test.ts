import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, ShapeError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { createVerificationHead, type VerificationHead } from './verification-head';
import { pairFeatures, toNonNegative, type PairForm } from './pair-features';
import { binaryCrossEntropyWithLogits } from './binary-cross-entropy';
import { EmptyBatchError } from './errors/empty-batch-error';
import { NegativeFeaturesError } from './errors/negative-features-error';

beforeAll(async () => {
  await useBackend('cpu');
});

function setHead(head: VerificationHead, w: number[], b: number) {
  head.weights.assign(tf.tensor1d(w));
  head.bias.assign(tf.tensor1d([b]));
}
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function rnd(seed: number, n: number, lo = -1, hi = 1): number[] {
  let s = seed;
  return Array.from({ length: n }, () => lo + ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * (hi - lo));
}

/** float64 reference: mean BCE of σ(w·x + b) for the given form. */
function refLoss(form: PairForm, A: number[][], B: number[][], w: number[], b: number, y: number[]): number {
  let s = 0;
  A.forEach((a, i) => {
    const x = form === 'abs' ? a.map((v, k) => Math.abs(v - B[i]![k]!)) : form === 'chi2' ? a.map((v, k) => (v - B[i]![k]!) ** 2 / (v + B[i]![k]! + 1e-7)) : [...a, ...B[i]!];
    const z = x.reduce((acc, v, k) => acc + v * w[k]!, b);
    const p = sigmoid(z);
    s += -(y[i]! * Math.log(p) + (1 - y[i]!) * Math.log(1 - p));
  });
  return s / A.length;
}

describe('verification head', () => {
  it('matches hand-computed values for the abs, χ² and concatenation forms', () => {
    const a = tf.tensor2d([[1, 2]]);
    const b = tf.tensor2d([[0, 4]]);
    const abs = createVerificationHead({ embeddingSize: 2 });
    setHead(abs, [0.5, -1], 0.25); // 0.5·1 − 1·2 + 0.25 = −1.25
    expect(abs.logits(a, b).dataSync()[0]).toBeCloseTo(-1.25, 6);
    expect(abs.predict(a, b).dataSync()[0]).toBeCloseTo(sigmoid(-1.25), 6);
    const chi = createVerificationHead({ embeddingSize: 2, form: 'chi2' });
    setHead(chi, [0.5, -1], 0.25); // (1)²/1 = 1, (−2)²/6 = 2/3 → 0.5 − 2/3 + 0.25
    expect(chi.logits(a, b).dataSync()[0]).toBeCloseTo(0.5 - 2 / 3 + 0.25, 5);
    const cat = createVerificationHead({ embeddingSize: 2, form: 'concat' });
    expect(cat.weights.shape).toEqual([4]);
    setHead(cat, [1, 2, 3, 4], -1); // 1 + 4 + 0 + 16 − 1
    expect(cat.logits(a, b).dataSync()[0]).toBeCloseTo(20, 5);
    expect(Array.from(pairFeatures(a, b, 'concat').dataSync())).toEqual([1, 2, 0, 4]);
    [abs, chi, cat].forEach((h) => h.dispose());
  });

  it('binary cross-entropy from logits is exact and stable for large logits', () => {
    const z = tf.tensor1d([0, 2, -3, 100, -100]);
    const got = Array.from(binaryCrossEntropyWithLogits(z, [1, 0, 1, 0, 1], { reduction: 'none' }).dataSync());
    const want = [Math.log(2), 2 + Math.log1p(Math.exp(-2)), 3 + Math.log1p(Math.exp(-3)), 100, 100];
    got.forEach((g, i) => expect(g).toBeCloseTo(want[i]!, 4));
    expect(binaryCrossEntropyWithLogits(z, [true, false, true, false, true]).dataSync()[0]).toBeCloseTo(want.reduce((a, b) => a + b) / 5, 3);
    expect(binaryCrossEntropyWithLogits(z, [1, 0, 1, 0, 1], { reduction: 'sum' }).dataSync()[0]).toBeCloseTo(want.reduce((a, b) => a + b), 2);
  });

  it('gradients with respect to w, b and both embeddings match central finite differences (float64), every form', () => {
    const n = 3;
    const d = 4;
    const y = [1, 0, 1];
    for (const form of ['abs', 'chi2', 'concat'] as const) {
      const lo = form === 'chi2' ? 0.1 : -1;
      const A = Array.from({ length: n }, (_, i) => rnd(10 + i, d, lo, 1));
      const B = Array.from({ length: n }, (_, i) => rnd(20 + i, d, lo, 1));
      const f = form === 'concat' ? 2 * d : d;
      const W = rnd(30, f, -0.8, 0.8);
      const b0 = 0.3;
      const head = createVerificationHead({ embeddingSize: d, form });
      setHead(head, W, b0);
      const loss = (a: tf.Tensor, b: tf.Tensor) => binaryCrossEntropyWithLogits(head.logits(a as tf.Tensor2D, b as tf.Tensor2D), y) as tf.Scalar;
      const [ga, gb] = tf.grads(loss)([tf.tensor2d(A), tf.tensor2d(B)]).map((g) => g.arraySync() as number[][]);
      const { grads } = tf.variableGrads(() => loss(tf.tensor2d(A), tf.tensor2d(B)), head.trainableVariables());
      const gw = Array.from(grads[head.weights.name]!.dataSync());
      const gbias = grads[head.bias.name]!.dataSync()[0]!;
      const h = 1e-6;
      const fd = (mut: (s: number) => [number[][], number[][], number[], number]) => {
        const p = mut(h);
        const m = mut(-h);
        return (refLoss(form, ...p, y) - refLoss(form, ...m, y)) / (2 * h);
      };
      const clone = (M: number[][]) => M.map((r) => [...r]);
      for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) {
        expect(ga[i]![k]!).toBeCloseTo(fd((s) => { const a = clone(A); a[i]![k]! += s; return [a, B, W, b0]; }), 3);
        expect(gb[i]![k]!).toBeCloseTo(fd((s) => { const b = clone(B); b[i]![k]! += s; return [A, b, W, b0]; }), 3);
      }
      for (let k = 0; k < f; k++) expect(gw[k]!).toBeCloseTo(fd((s) => { const w = [...W]; w[k]! += s; return [A, B, w, b0]; }), 3);
      expect(gbias).toBeCloseTo(fd((s) => [A, B, W, b0 + s]), 3);
      head.dispose();
    }
  });

  it('χ² refuses negative features with a typed error that names the fix; toNonNegative makes them usable', () => {
    const e = tf.tensor2d([[0.6, -0.8], [-1, 0]]);
    const f = tf.tensor2d([[0, 1], [1, 0]]);
    const err = (() => { try { pairFeatures(e, f, 'chi2'); } catch (x) { return x; } })();
    expect(NegativeFeaturesError.isInstance(err)).toBe(true);
    expect((err as NegativeFeaturesError).minimum).toBeCloseTo(-1, 6);
    expect((err as Error).message).toMatch(/toNonNegative/);
    const p = toNonNegative(e);
    expect(Array.from(p.dataSync())).toEqual([expect.closeTo(0.8, 6), expect.closeTo(0.1, 6), 0, 0.5]);
    expect(Array.from(toNonNegative(e, { method: 'relu' }).dataSync())).toEqual([expect.closeTo(0.6, 6), 0, 0, 0]);
    expect(Array.from(toNonNegative(e, { method: 'square' }).dataSync())).toEqual([expect.closeTo(0.36, 6), expect.closeTo(0.64, 6), 1, 0]);
    expect(() => pairFeatures(p, toNonNegative(f), 'chi2')).not.toThrow();
  });

  it('bad input → typed errors: mismatched embedding sizes, wrong labels, empty batches', () => {
    const head = createVerificationHead({ embeddingSize: 3 });
    const a = tf.zeros([2, 3]) as tf.Tensor2D;
    expect(() => head.logits(a, tf.zeros([2, 4]) as tf.Tensor2D)).toThrowError(ShapeError);
    expect(() => head.logits(a, tf.zeros([2, 4]) as tf.Tensor2D)).toThrowError(/same size/);
    expect(() => head.logits(a, tf.zeros([3, 3]) as tf.Tensor2D)).toThrowError(/as many rows/);
    expect(() => head.logits(tf.zeros([2, 5]) as tf.Tensor2D, tf.zeros([2, 5]) as tf.Tensor2D)).toThrowError(/embeddingSize/);
    expect(() => head.logits(tf.zeros([0, 3]) as tf.Tensor2D, tf.zeros([0, 3]) as tf.Tensor2D)).toThrowError(EmptyBatchError);
    const z = tf.tensor1d([0.1, 0.2]);
    expect(() => binaryCrossEntropyWithLogits(z, [1, 2])).toThrowError(InvalidArgumentError);
    expect(() => binaryCrossEntropyWithLogits(z, [1, -1])).toThrowError(/0 \(different people\) or 1/);
    expect(() => binaryCrossEntropyWithLogits(z, [1])).toThrowError(ShapeError);
    expect(() => binaryCrossEntropyWithLogits(tf.tensor1d([]), [])).toThrowError(EmptyBatchError);
    expect(() => createVerificationHead({ embeddingSize: 0 })).toThrowError(InvalidArgumentError);
    expect(() => createVerificationHead({ embeddingSize: 3, form: 'cosine' as never })).toThrowError(/options.form/);
    head.dispose();
    expect(() => head.predict(a, a)).toThrowError(/disposed/);
  });

  it('leaks nothing', async () => {
    const head = createVerificationHead({ embeddingSize: 3, form: 'chi2' });
    const a = tf.randomUniform([4, 3]) as tf.Tensor2D;
    const b = tf.randomUniform([4, 3]) as tf.Tensor2D;
    await expectNoLeaks(() => head.predict(a, b));
    await expectNoLeaks(() => pairFeatures(a, b, 'chi2'));
    await expectNoLeaks(() => toNonNegative(a));
    const z = head.logits(a, b);
    await expectNoLeaks(() => binaryCrossEntropyWithLogits(z, [1, 0, 1, 0]));
    z.dispose();
    tf.dispose([a, b]);
    head.dispose();
  });
});
