import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, ShapeError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { createCompactEncoder } from './compact-encoder';

beforeAll(async () => {
  await useBackend('cpu');
});

function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

/** Plain-JS reference of one image through the encoder (NHWC, batch-norm given per channel). */
function reference(
  img: number[][][], // [H][W][C]
  w: Record<string, { v: Float32Array | Int32Array | Uint8Array; shape: number[] }>,
  nBlocks: number,
  bnStats: (block: number, pre: number[][][]) => { mean: number[]; variance: number[] },
  eps: number,
  normalize: boolean,
): number[] {
  let x = img;
  for (let b = 0; b < nBlocks; b++) {
    const k = w[`block${b}/conv/kernel`]!;
    const [, , cin, cout] = k.shape as [number, number, number, number];
    const H = x.length, W = x[0]!.length;
    const conv: number[][][] = [];
    for (let i = 0; i < H; i++) {
      conv.push([]);
      for (let j = 0; j < W; j++) {
        const o: number[] = [];
        for (let co = 0; co < cout; co++) {
          let s = 0;
          for (let di = 0; di < 3; di++) for (let dj = 0; dj < 3; dj++) {
            const ii = i + di - 1, jj = j + dj - 1;
            if (ii < 0 || jj < 0 || ii >= H || jj >= W) continue;
            for (let ci = 0; ci < cin; ci++) s += x[ii]![jj]![ci]! * k.v[((di * 3 + dj) * cin + ci) * cout + co]!;
          }
          o.push(s);
        }
        conv[i]!.push(o);
      }
    }
    const { mean, variance } = bnStats(b, conv);
    const g = w[`block${b}/bn/gamma`]!.v, be = w[`block${b}/bn/beta`]!.v;
    const act = conv.map((r) => r.map((p) => p.map((v, c) => Math.max(0, ((v - mean[c]!) / Math.sqrt(variance[c]! + eps)) * g[c]! + be[c]!))));
    const pooled: number[][][] = [];
    for (let i = 0; i + 1 < H; i += 2) {
      pooled.push([]);
      for (let j = 0; j + 1 < W; j += 2) {
        pooled[pooled.length - 1]!.push(act[i]![j]!.map((_, c) => Math.max(act[i]![j]![c]!, act[i + 1]![j]![c]!, act[i]![j + 1]![c]!, act[i + 1]![j + 1]![c]!)));
      }
    }
    x = pooled;
  }
  const C = x[0]![0]!.length;
  const gap = Array.from({ length: C }, (_, c) => {
    let s = 0, n = 0;
    for (const r of x) for (const p of r) { s += p[c]!; n++; }
    return s / n;
  });
  const dk = w['dense/kernel']!, db = w['dense/bias']!;
  const D = dk.shape[1]!;
  const e = Array.from({ length: D }, (_, d) => gap.reduce((a, g, c) => a + g * dk.v[c * D + d]!, db.v[d]!));
  if (!normalize) return e;
  const n = Math.sqrt(e.reduce((a, v) => a + v * v, 0));
  return e.map((v) => v / n);
}

function weightsOf(enc: ReturnType<typeof createCompactEncoder>) {
  const w: Record<string, { v: Float32Array; shape: number[] }> = {};
  for (const { name, tensor } of enc.namedWeights()) w[name] = { v: tensor.dataSync() as Float32Array, shape: tensor.shape };
  return w;
}

describe('createCompactEncoder', () => {
  it('ORL input [N,112,92,1] → unit-norm [N,128] with the reference 257 k parameters', () => {
    const enc = createCompactEncoder({ inputShape: [112, 92, 1], seed: 3 });
    const x = tf.randomUniform([2, 112, 92, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
    const e = enc.encode(x);
    expect(e.shape).toEqual([2, 128]);
    const norms = tf.sqrt(tf.sum(tf.square(e), 1)).arraySync() as number[];
    norms.forEach((n) => expect(n).toBeCloseTo(1, 5));
    // conv weights 3·3·(1·32 + 32·64 + 64·128 + 128·128) + BN γ,β 2·(32+64+128+128) + dense 128·128 + 128
    expect(enc.countParameters()).toBe(9 * (32 + 32 * 64 + 64 * 128 + 128 * 128) + 2 * 352 + 128 * 128 + 128);
    expect(enc.countParameters()).toBe(257_120);
    tf.dispose([x, e]);
    enc.dispose();
  });

  it('inference matches a plain-JS reference (conv, BN on moving stats, ReLU, pool, GAP, dense, L2)', () => {
    const enc = createCompactEncoder({ inputShape: [6, 5, 2], channels: [3, 4], embeddingSize: 3, seed: 7 });
    // make BN non-trivial: set moving stats, γ and β to arbitrary values
    const r = lcg(11);
    for (const { name, tensor } of enc.namedWeights()) {
      if (name.includes('/bn/')) (tensor as tf.Variable).assign(tf.tensor1d(Array.from({ length: tensor.size }, () => (name.includes('variance') || name.includes('gamma') ? 0.5 + r() : r() - 0.5))));
    }
    const img = Array.from({ length: 6 }, () => Array.from({ length: 5 }, () => [r(), r()]));
    const got = Array.from(enc.encode(tf.tensor4d([img])).dataSync());
    const w = weightsOf(enc);
    const ref = reference(img, w, 2, (b) => ({ mean: Array.from(w[`block${b}/bn/moving_mean`]!.v), variance: Array.from(w[`block${b}/bn/moving_variance`]!.v) }), 1e-3, true);
    got.forEach((g, i) => expect(g).toBeCloseTo(ref[i]!, 5));
    enc.dispose();
  });

  it('training mode normalises with batch statistics and updates the moving averages (momentum 0.9, unbiased variance)', () => {
    const enc = createCompactEncoder({ inputShape: [4, 4, 1], channels: [2], embeddingSize: 2, normalize: false, seed: 5 });
    const r = lcg(3);
    const imgs = [0, 1, 2].map(() => Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => [r()])));
    const w = weightsOf(enc);
    // batch statistics of the conv output over N,H,W, computed in JS
    const convs: number[][][][] = [];
    for (const img of imgs) reference(img, w, 1, (_b, pre) => { convs.push(pre); return { mean: [0, 0], variance: [1, 1] }; }, 1e-3, false);
    const vals = [0, 1].map((c) => convs.flatMap((cv) => cv.flatMap((row) => row.map((p) => p[c]!))));
    const mean = vals.map((v) => v.reduce((a, b) => a + b, 0) / v.length);
    const biased = vals.map((v, c) => v.reduce((a, b) => a + (b - mean[c]!) ** 2, 0) / v.length);
    const got = enc.encode(tf.tensor4d(imgs), { training: true }).arraySync() as number[][];
    imgs.forEach((img, n) => {
      const ref = reference(img, w, 1, () => ({ mean, variance: biased }), 1e-3, false);
      got[n]!.forEach((g, i) => expect(g).toBeCloseTo(ref[i]!, 4));
    });
    const mm = enc.namedWeights().find((x) => x.name === 'block0/bn/moving_mean')!.tensor.arraySync() as number[];
    const mv = enc.namedWeights().find((x) => x.name === 'block0/bn/moving_variance')!.tensor.arraySync() as number[];
    mm.forEach((m, c) => expect(m).toBeCloseTo(0.1 * mean[c]!, 5));
    mv.forEach((v, c) => expect(v).toBeCloseTo(0.9 + 0.1 * biased[c]! * (48 / 47), 5));
    // the moving statistics are the encoder's state: named, the same variables, and never trainable
    const state = enc.stateVariables();
    expect(state.map((s) => s.name)).toEqual(['block0/bn/moving_mean', 'block0/bn/moving_variance']);
    expect(state[0]!.variable.arraySync()).toEqual(mm);
    expect(state.some((s) => enc.trainableVariables().includes(s.variable))).toBe(false);
    enc.dispose();
    expect(() => enc.stateVariables()).toThrow();
  });

  it('gradients of every trainable variable match finite differences (training mode)', () => {
    const enc = createCompactEncoder({ inputShape: [4, 4, 1], channels: [2], embeddingSize: 3, seed: 9 });
    const r = lcg(5);
    const x = tf.tensor4d(Array.from({ length: 3 * 16 }, () => r()), [3, 4, 4, 1]);
    const c = tf.tensor2d(Array.from({ length: 9 }, () => r() - 0.5), [3, 3]);
    const loss = () => tf.sum(tf.mul(enc.encode(x, { training: true }), c)) as tf.Scalar;
    const vars = enc.trainableVariables();
    expect(vars.map((v) => v.shape)).toEqual([[3, 3, 1, 2], [2], [2], [2, 3], [3]]);
    const { grads } = tf.variableGrads(loss, vars);
    for (const v of vars) {
      const g = grads[v.name]!.dataSync();
      const orig = v.dataSync().slice();
      for (const idx of [0, v.size - 1]) {
        const h = 1e-2;
        const at = (delta: number) => {
          const p = orig.slice(); p[idx]! += delta;
          v.assign(tf.tensor(p, v.shape));
          return loss().dataSync()[0]!;
        };
        const fd = (at(h) - at(-h)) / (2 * h);
        v.assign(tf.tensor(orig, v.shape));
        expect(g[idx]!).toBeCloseTo(fd, 2);
      }
    }
    tf.dispose(Object.values(grads));
    enc.dispose();
  });

  it('the seed fixes the weights', () => {
    const a = createCompactEncoder({ inputShape: [8, 8, 1], seed: 1, channels: [4] });
    const b = createCompactEncoder({ inputShape: [8, 8, 1], seed: 1, channels: [4] });
    const c = createCompactEncoder({ inputShape: [8, 8, 1], seed: 2, channels: [4] });
    const k = (e: typeof a) => Array.from(e.namedWeights()[0]!.tensor.dataSync());
    expect(k(a)).toEqual(k(b));
    expect(k(a)).not.toEqual(k(c));
    // seed 0 too (tfjs's own seed 0 means Math.random())
    const z1 = createCompactEncoder({ inputShape: [8, 8, 1], seed: 0, channels: [4] });
    const z2 = createCompactEncoder({ inputShape: [8, 8, 1], seed: 0, channels: [4] });
    expect(k(z1)).toEqual(k(z2));
    [a, b, c, z1, z2].forEach((e) => e.dispose());
  });

  it('refuses wrong sizes, channel counts, ranks and options with typed errors that say what to do', () => {
    const enc = createCompactEncoder({ inputShape: [8, 8, 1], channels: [4] });
    const err = (f: () => unknown) => { try { f(); } catch (e) { return e as Error; } throw new Error('no error'); };
    const e1 = err(() => enc.encode(tf.zeros([1, 8, 8, 3]) as tf.Tensor4D));
    expect(ShapeError.isInstance(e1)).toBe(true);
    expect(e1.message).toMatch(/\[N,8,8,1\].*got \[1,8,8,3\]/);
    expect(err(() => enc.encode(tf.zeros([8, 8, 1]) as unknown as tf.Tensor4D)).message).toMatch(/expandDims/);
    expect(err(() => enc.encode(tf.zeros([1, 8, 8, 1]) as tf.Tensor4D, { training: true })).message).toMatch(/at least 2/);
    expect(InvalidArgumentError.isInstance(err(() => createCompactEncoder({ inputShape: [8, 8] as unknown as [number, number, number] })))).toBe(true);
    expect(err(() => createCompactEncoder({ inputShape: [8, 8, 1], channels: [4, 4, 4, 4] })).message).toMatch(/too small/);
    expect(err(() => createCompactEncoder({ inputShape: [8, 8, 1], channels: [4], embeddingSize: 0 })).message).toMatch(/embeddingSize/);
    enc.dispose();
    expect(err(() => enc.encode(tf.zeros([1, 8, 8, 1]) as tf.Tensor4D)).message).toMatch(/disposed/);
  });

  it('leaks nothing: encode (both modes), create + dispose', async () => {
    const enc = createCompactEncoder({ inputShape: [8, 8, 1], channels: [4, 4] });
    const x = tf.zeros([2, 8, 8, 1]) as tf.Tensor4D;
    await expectNoLeaks(() => enc.encode(x));
    await expectNoLeaks(() => enc.encode(x, { training: true }));
    await expectNoLeaks(() => createCompactEncoder({ inputShape: [8, 8, 1], channels: [4] }).dispose());
    x.dispose();
    enc.dispose();
  });
});
