import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, ShapeError, useBackend } from '@likeness/backends';
import { trainTriplet, type TrainingWarning } from './train-triplet';
import { memoryCheckpointStore } from './checkpoint';
import { fileCheckpointStore } from '../node/file-checkpoint-store';
import { learningRateAt } from './schedule';
import { createOptimizer, setLearningRate } from './optimizer';
import { DegenerateBatchError, flipAndShift } from '@likeness/triplet';
import { CheckpointCorruptError } from '../errors/checkpoint-corrupt-error';
import { createCompactEncoder } from '@likeness/embeddings';
import { syntheticFaces, tinyEncoder } from '@likeness/embeddings/testing';

const SHAPE: [number, number, number] = [4, 4, 1];
let data: ReturnType<typeof syntheticFaces>;
const tmp = mkdtempSync(join(tmpdir(), 'triplet-ckpt-'));

beforeAll(async () => {
  await useBackend('cpu');
  data = syntheticFaces(8, 4, SHAPE, 0.6, 11);
});
afterAll(() => {
  data.images.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

const weights = (e: ReturnType<typeof tinyEncoder>) => e.trainableVariables().map((v) => Array.from(v.dataSync()));
const quiet = { onWarning: () => {} };

function separation(enc: ReturnType<typeof tinyEncoder>): number {
  // AUC: the fraction of (same-identity pair, different-identity pair) couples ranked right
  const E = tf.tidy(() => enc.encode(data.images).arraySync() as number[][]);
  const same: number[] = [];
  const diff: number[] = [];
  E.forEach((u, i) => E.forEach((v, j) => {
    if (j <= i) return;
    const d = u.reduce((a, x, k) => a + (x - v[k]!) ** 2, 0);
    (data.labels[i] === data.labels[j] ? same : diff).push(d);
  }));
  let ok = 0;
  for (const s of same) for (const d of diff) ok += s < d ? 1 : s === d ? 0.5 : 0;
  return ok / (same.length * diff.length);
}

describe('learning-rate schedules and optimisers', () => {
  it('cosine, step, warm-up and functions give hand-computed rates', () => {
    expect(learningRateAt('cosine', 0, 300, 1e-3)).toBeCloseTo(1e-3, 12);
    expect(learningRateAt('cosine', 150, 300, 1e-3)).toBeCloseTo(5e-4, 12);
    expect(learningRateAt('cosine', 300, 300, 1e-3)).toBeCloseTo(0, 12);
    expect(learningRateAt({ type: 'step', every: 10, gamma: 0.5 }, 25, 100, 1)).toBe(0.25);
    expect(learningRateAt('constant', 3, 10, 0.1, 4)).toBeCloseTo(0.1, 12);
    expect(learningRateAt('constant', 1, 10, 0.1, 4)).toBeCloseTo(0.05, 12);
    expect(learningRateAt((s) => 1 / (s + 1), 3, 10, 1)).toBe(0.25);
    expect(() => learningRateAt(() => NaN, 0, 1, 1)).toThrowError(InvalidArgumentError);
  });

  it('setLearningRate takes effect on the next update (SGD and Adam)', () => {
    for (const name of ['sgd', 'adam'] as const) {
      const v = tf.variable(tf.tensor1d([1]));
      const opt = createOptimizer(name, 0.1);
      setLearningRate(opt, 0);
      opt.applyGradients([{ name: v.name, tensor: tf.tensor1d([1]) }]);
      expect(v.dataSync()[0]).toBe(1);
      setLearningRate(opt, 0.5);
      opt.applyGradients([{ name: v.name, tensor: tf.tensor1d([1]) }]);
      expect(v.dataSync()[0]).toBeCloseTo(0.5, 3); // SGD: 1 − 0.5·1; Adam: first step moves by lr
      opt.dispose();
      v.dispose();
    }
  });
});

describe('trainTriplet', () => {
  it('learns: same-identity embeddings end up closer than different-identity ones, for every strategy', async () => {
    for (const strategy of ['batch-hard', 'semi-hard', 'batch-all', 'random'] as const) {
      const enc = tinyEncoder(SHAPE, 8, { seed: 2 });
      const before = separation(enc);
      const seen: number[] = [];
      const res = await trainTriplet(enc, data, { steps: 40, p: 4, k: 3, learningRate: 0.02, strategy, margin: 0.5, onProgress: (p) => void seen.push(p.step), ...quiet });
      expect(res.steps).toBe(40);
      expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(separation(enc)).toBeGreaterThan(before + 0.05);
      const l = res.losses;
      expect(l.slice(-10).reduce((a, b) => a + b) / 10).toBeLessThan(l.slice(0, 10).reduce((a, b) => a + b) / 10);
      enc.dispose();
    }
  });

  it('leaves no tensors behind besides the encoder', async () => {
    const enc = tinyEncoder(SHAPE, 8, { seed: 2 });
    const before = tf.memory().numTensors;
    await trainTriplet(enc, data, { steps: 3, p: 4, k: 2, augment: (x, step) => flipAndShift(x, { maxShift: 1, seed: step }), earlyStopping: { validate: () => 1, every: 1, patience: 5 }, ...quiet });
    expect(tf.memory().numTensors).toBe(before);
    enc.dispose();
  });

  it('resumes from a checkpoint to the same weights as an uninterrupted run (memory and file stores)', async () => {
    const opts = { p: 4, k: 3, learningRate: 0.01, schedule: 'cosine' as const, seed: 5, ...quiet };
    const straight = tinyEncoder(SHAPE, 8, { seed: 3 });
    const full = await trainTriplet(straight, data, { ...opts, steps: 10 });
    for (const store of [memoryCheckpointStore(), fileCheckpointStore(join(tmp, 'run'))]) {
      const a = tinyEncoder(SHAPE, 8, { seed: 3 });
      // first 6 steps of a 10-step run: stop by throwing from the progress callback (a "crash")
      await expect(trainTriplet(a, data, { ...opts, steps: 10, checkpoint: { store, every: 3 }, onProgress: (p) => { if (p.step === 6) throw new Error('crash'); } })).rejects.toThrow('crash');
      a.dispose();
      const b = tinyEncoder(SHAPE, 8, { seed: 77 }); // different init: everything comes from the checkpoint
      const res = await trainTriplet(b, data, { ...opts, steps: 10, checkpoint: { store, every: 3 } });
      expect(res.resumedFrom).toBe(3); // the crash came before step 6's save
      expect(res.steps).toBe(10);
      expect(res.losses.length).toBe(10);
      res.losses.forEach((l, i) => expect(l).toBeCloseTo(full.losses[i]!, 4));
      weights(b).forEach((w, i) => w.forEach((x, j) => expect(x).toBeCloseTo(weights(straight)[i]![j]!, 5)));
      b.dispose();
    }
    straight.dispose();
    // the file store left exactly one manifest and one binary, no temporaries
    const files = readdirSync(join(tmp, 'run')).sort();
    expect(files).toEqual(['checkpoint.json', 'weights-10.bin']);
    const manifest = JSON.parse(readFileSync(join(tmp, 'run', 'checkpoint.json'), 'utf8'));
    expect(manifest.weightsManifest[0].paths).toEqual(['weights-10.bin']);
    expect(manifest.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toContain('encoder/0');
  });

  it('trains the compact encoder of @likeness/embeddings and checkpoints its batch-norm moving statistics too', async () => {
    const faces = syntheticFaces(6, 3, [16, 16, 1], 0.3, 5);
    const make = () => createCompactEncoder({ inputShape: [16, 16, 1], channels: [4, 4, 4, 4], embeddingSize: 8, seed: 9 });
    const opts = { p: 3, k: 2, steps: 4, learningRate: 0.01, seed: 2, ...quiet };
    const straight = make();
    await trainTriplet(straight, faces, opts);
    const store = memoryCheckpointStore();
    const a = make();
    await expect(trainTriplet(a, faces, { ...opts, checkpoint: { store, every: 2 }, onProgress: (p) => { if (p.step === 3) throw new Error('crash'); } })).rejects.toThrow('crash');
    const b = make();
    expect((await trainTriplet(b, faces, { ...opts, checkpoint: { store, every: 2 } })).resumedFrom).toBe(2);
    const want = straight.namedWeights();
    const got = b.namedWeights();
    expect(got.map((w) => w.name)).toContain('block0/bn/moving_mean');
    got.forEach((w, i) => {
      const x = want[i]!.tensor.dataSync();
      w.tensor.dataSync().forEach((v, j) => expect(v).toBeCloseTo(x[j]!, 4));
    });
    [straight, a, b].forEach((e) => e.dispose());
    faces.images.dispose();
  });

  it('refuses a truncated or mismatched checkpoint with a typed error', async () => {
    const dir = join(tmp, 'bad');
    const store = fileCheckpointStore(dir);
    const enc = tinyEncoder(SHAPE, 8, { seed: 3 });
    await trainTriplet(enc, data, { steps: 2, p: 4, k: 2, checkpoint: { store }, ...quiet });
    const other = tinyEncoder(SHAPE, 5, { seed: 3 });
    await expect(trainTriplet(other, data, { steps: 4, p: 4, k: 2, checkpoint: { store }, ...quiet })).rejects.toSatisfy(CheckpointCorruptError.isInstance);
    writeFileSync(join(dir, 'weights-2.bin'), new Uint8Array(10));
    await expect(trainTriplet(enc, data, { steps: 4, p: 4, k: 2, checkpoint: { store }, ...quiet })).rejects.toThrow(/bytes/);
    enc.dispose();
    other.dispose();
  });

  it('NaN input: throws a non-finite DegenerateBatchError and leaves the weights untouched', async () => {
    const enc = tinyEncoder(SHAPE, 8, { seed: 2 });
    const w0 = weights(enc);
    const bad = tf.fill([32, ...SHAPE], NaN) as tf.Tensor4D;
    const err = await trainTriplet(enc, { images: bad, labels: data.labels }, { steps: 2, p: 4, k: 2, ...quiet }).catch((e) => e);
    expect(DegenerateBatchError.isInstance(err)).toBe(true);
    expect((err as DegenerateBatchError).reason).toBe('non-finite');
    expect((err as Error).message).toMatch(/not applied/);
    expect(weights(enc)).toEqual(w0);
    bad.dispose();
    enc.dispose();
  });

  it('warns when every triplet is easy and skips the update', async () => {
    const enc = tinyEncoder(SHAPE, 8, { seed: 2 });
    const clean = syntheticFaces(8, 4, SHAPE, 0, 11); // no noise: d(a,p) = 0 < d(a,n)
    const w0 = weights(enc);
    const warnings: TrainingWarning[] = [];
    const res = await trainTriplet(enc, clean, { steps: 3, p: 4, k: 2, margin: 0, onWarning: (w) => warnings.push(w) });
    expect(warnings.map((w) => w.code)).toEqual(['all-easy', 'all-easy', 'all-easy']);
    expect(warnings[0]!.message).toMatch(/semi-hard/);
    expect(res.warnings).toHaveLength(3);
    expect(weights(enc)).toEqual(w0);
    clean.images.dispose();
    enc.dispose();
  });

  it('semi-hard with no triplet left (every negative beyond the margin): warns no-triplets and skips, no error', async () => {
    const enc = tinyEncoder(SHAPE, 8, { seed: 2 });
    const clean = syntheticFaces(8, 4, SHAPE, 0, 11); // no noise: d(a,p) = 0, every d(a,n) > 1e-4
    const w0 = weights(enc);
    const warnings: TrainingWarning[] = [];
    const res = await trainTriplet(enc, clean, { steps: 2, p: 4, k: 2, strategy: 'semi-hard', margin: 1e-4, onWarning: (w) => warnings.push(w) });
    expect(warnings.map((w) => w.code)).toEqual(['no-triplets', 'no-triplets']);
    expect(res.steps).toBe(2);
    expect(res.losses).toEqual([0, 0]);
    expect(weights(enc)).toEqual(w0);
    clean.images.dispose();
    enc.dispose();
  });

  it('detects collapse f(x) = constant: a warning by default, an error on request', async () => {
    const enc = tinyEncoder(SHAPE, 4, { seed: 2 });
    enc.trainableVariables()[0]!.assign(tf.zeros(enc.trainableVariables()[0]!.shape));
    enc.trainableVariables()[1]!.assign(tf.ones([4]));
    const warnings: TrainingWarning[] = [];
    await trainTriplet(enc, data, { steps: 1, p: 4, k: 2, onWarning: (w) => warnings.push(w) });
    expect(warnings.map((w) => w.code)).toContain('collapse');
    const err = await trainTriplet(enc, data, { steps: 1, p: 4, k: 2, onCollapse: 'error', ...quiet }).catch((e) => e);
    expect(DegenerateBatchError.isInstance(err) && err.reason).toBe('collapse');
    enc.dispose();
  });

  it('stops early after `patience` validations without improvement and restores the best weights', async () => {
    const enc = tinyEncoder(SHAPE, 8, { seed: 2 });
    const scores = [0.5, 0.9, 0.8, 0.7, 0.6, 0.95];
    let calls = 0;
    let atBest: number[][] = [];
    const res = await trainTriplet(enc, data, {
      steps: 30, p: 4, k: 2, learningRate: 0.05, ...quiet,
      earlyStopping: { every: 2, patience: 3, validate: (e) => { const s = scores[calls++]!; if (s === 0.9) atBest = e.trainableVariables().map((v) => Array.from(v.dataSync())); return s; } },
    });
    expect(calls).toBe(5);
    expect(res.stoppedEarly).toBe(true);
    expect(res.steps).toBe(10);
    expect(res.bestScore).toBe(0.9);
    expect(res.bestStep).toBe(4);
    expect(weights(enc)).toEqual(atBest);
    enc.dispose();
  });

  it('classification term: learns alone (strategy none) and with batch-hard, leaves no tensor behind, and resumes to the same weights', async () => {
    for (const strategy of ['none', 'batch-hard'] as const) {
      const enc = tinyEncoder(SHAPE, 8, { seed: 2 });
      const before = separation(enc);
      const n0 = tf.memory().numTensors;
      const seen: (number | undefined)[] = [];
      const res = await trainTriplet(enc, data, { steps: 60, p: 4, k: 3, learningRate: 0.02, strategy, classification: true, onProgress: (p) => void seen.push(p.classificationLoss), ...quiet });
      expect(tf.memory().numTensors).toBe(n0); // the proxies and optimiser slots are gone
      expect(separation(enc)).toBeGreaterThan(before + 0.05);
      expect(seen.every((v) => typeof v === 'number' && Number.isFinite(v))).toBe(true);
      expect(seen.slice(-10).reduce((a, b) => a! + b!, 0)!).toBeLessThan(seen.slice(0, 10).reduce((a, b) => a! + b!, 0)!);
      enc.dispose();
    }
    // reproducible with the default seed 0 too (tfjs's own seed 0 means Math.random())
    const twice = [tinyEncoder(SHAPE, 8, { seed: 4 }), tinyEncoder(SHAPE, 8, { seed: 4 })];
    for (const e of twice) await trainTriplet(e, data, { steps: 3, p: 4, k: 3, strategy: 'none', classification: true, ...quiet });
    expect(weights(twice[1]!)).toEqual(weights(twice[0]!));
    twice.forEach((e) => e.dispose());
    const opts = { p: 4, k: 3, learningRate: 0.01, seed: 5, strategy: 'batch-hard' as const, classification: true, ...quiet };
    const straight = tinyEncoder(SHAPE, 8, { seed: 3 });
    const full = await trainTriplet(straight, data, { ...opts, steps: 8 });
    const store = memoryCheckpointStore();
    const a = tinyEncoder(SHAPE, 8, { seed: 3 });
    await expect(trainTriplet(a, data, { ...opts, steps: 8, checkpoint: { store, every: 4 }, onProgress: (p) => { if (p.step === 6) throw new Error('crash'); } })).rejects.toThrow('crash');
    a.dispose();
    const b = tinyEncoder(SHAPE, 8, { seed: 77 });
    const res = await trainTriplet(b, data, { ...opts, steps: 8, checkpoint: { store, every: 4 } });
    expect(res.resumedFrom).toBe(4);
    res.losses.forEach((l, i) => expect(l).toBeCloseTo(full.losses[i]!, 4)); // the proxies and their Adam slots came back too
    weights(b).forEach((w, i) => w.forEach((x, j) => expect(x).toBeCloseTo(weights(straight)[i]![j]!, 5)));
    // a checkpoint without proxies is refused for a classification run, and nothing leaks
    const plain = memoryCheckpointStore();
    await trainTriplet(b, data, { p: 4, k: 3, steps: 1, checkpoint: { store: plain }, ...quiet });
    const n1 = tf.memory().numTensors;
    await expect(trainTriplet(b, data, { ...opts, steps: 2, checkpoint: { store: plain } })).rejects.toSatisfy(CheckpointCorruptError.isInstance);
    expect(tf.memory().numTensors).toBe(n1);
    // ... and leaves the encoder it was given as it was (the checkpoint holds other weights)
    const c = tinyEncoder(SHAPE, 8, { seed: 91 });
    const wc = weights(c);
    await expect(trainTriplet(c, data, { ...opts, steps: 2, checkpoint: { store: plain } })).rejects.toSatisfy(CheckpointCorruptError.isInstance);
    expect(weights(c)).toEqual(wc);
    c.dispose();
    straight.dispose();
    b.dispose();
  });

  it('refuses bad input with typed errors', async () => {
    const enc = tinyEncoder(SHAPE, 8);
    await expect(trainTriplet(enc, data, { strategy: 'none' })).rejects.toThrow(/classification/);
    await expect(trainTriplet(enc, data, { p: 4, classification: { scale: -1 } })).rejects.toThrow(/options\.classification\.scale/);
    await expect(trainTriplet(enc, data, { p: 4, classification: 'yes' as never })).rejects.toThrow(InvalidArgumentError);
    await expect(trainTriplet(enc, { images: tf.zeros([4, 5, 5, 1]) as tf.Tensor4D, labels: [0, 0, 1, 1] })).rejects.toThrow(ShapeError);
    await expect(trainTriplet(enc, { images: data.images, labels: [1, 2] })).rejects.toThrow(/one label per embedding/);
    await expect(trainTriplet(enc, { images: data.images, labels: data.labels.map((_, i) => i) })).rejects.toSatisfy(DegenerateBatchError.isInstance);
    await expect(trainTriplet(enc, data, { strategy: 'hard' as never })).rejects.toThrow(InvalidArgumentError);
    await expect(trainTriplet(enc, data, { p: 4, optimizer: 'lbfgs' as never })).rejects.toThrow(/optimizer/);
    await expect(trainTriplet(enc, data, { p: 9 })).rejects.toThrow(/lower P/);
    await expect(trainTriplet({} as never, data)).rejects.toThrow(/encoder/);
    enc.dispose();
  });
});
