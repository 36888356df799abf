import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { equalErrorRate } from '@likeness/embeddings';
import { crossValidateFineTuning, type FineTuningMethod, type FineTuningSession } from './cross-validate-fine-tuning';

/** A small LCG (independent of the module's generators). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

/**
 * A tiny fine-tuner: 2-d features (dim 0: the person, dim 1: loud noise),
 * embedding x·W with W [2,2] a variable starting at the identity; an epoch
 * is 3 gradient steps (`lr`) on (mean same-pair ‖ΔW‖²) / (mean different-pair ‖ΔW‖²) of
 * 16 random images of the training rows (seeded). `lr < 0` climbs the loss
 * (it can only get worse). Records every call.
 */
function tinyMethod(people: number, per: number, lr: number) {
  const r = lcg(11);
  const labels = Int32Array.from({ length: people * per }, (_, i) => Math.floor(i / per) * 3 + 1); // ids 1, 4, 7, …
  const x = tf.tensor2d(Array.from(labels, (l) => [l / 3 + 0.3 * (r() - 0.5), 6 * (r() - 0.5)]));
  const init = tf.eye(2);
  const W = tf.variable(init, true, `tiny-cv-w-${lr}-${people}`);
  init.dispose();
  const calls: { begin: Int32Array[]; seeds: number[]; scored: Int32Array[]; distances: number[][] } = { begin: [], seeds: [], scored: [], distances: [] };
  const ratio = (rows: Int32Array) => tf.tidy(() => {
    const e = tf.matMul(tf.gather(x, rows), W);
    const d2 = tf.sum(tf.square(tf.sub(tf.expandDims(e, 1), tf.expandDims(e, 0))), 2);
    const lab = Array.from(rows, (i) => labels[i]!);
    const same = tf.tensor2d(lab.map((a, i) => lab.map((b, j) => (a === b && i !== j ? 1 : 0))));
    const diff = tf.tensor2d(lab.map((a) => lab.map((b) => (a !== b ? 1 : 0))));
    return tf.div(tf.div(tf.sum(tf.mul(d2, same)), tf.maximum(tf.sum(same), 1)), tf.div(tf.sum(tf.mul(d2, diff)), tf.maximum(tf.sum(diff), 1))) as tf.Scalar;
  });
  const method: FineTuningMethod = {
    labels,
    variables: [W],
    begin(rows, seed) {
      calls.begin.push(rows);
      calls.seeds.push(seed);
      const rnd = lcg(seed + 1);
      return {
        trainEpoch() {
          let sum = 0;
          for (let s = 0; s < 3; s++) {
            const batch = Int32Array.from({ length: 16 }, () => rows[Math.floor(rnd() * rows.length)]!);
            const { value, grads } = tf.variableGrads(() => ratio(batch), [W]);
            tf.tidy(() => W.assign(tf.sub(W, tf.mul(grads[W.name]!, lr))));
            sum += value.dataSync()[0]!;
            tf.dispose([value, grads[W.name]!]);
          }
          return sum / 3;
        },
        score(valRows) {
          calls.scored.push(valRows);
          const et = tf.tidy(() => tf.matMul(tf.gather(x, valRows), W));
          const e = et.arraySync() as number[][];
          et.dispose();
          const d: number[] = [];
          for (let i = 0; i < e.length; i++) for (let j = i + 1; j < e.length; j++) d.push(Math.hypot(e[i]![0]! - e[j]![0]!, e[i]![1]! - e[j]![1]!));
          calls.distances.push(d);
          const l = ratio(valRows);
          const loss = l.dataSync()[0]!;
          l.dispose();
          return { distances: d, loss };
        },
        dispose: () => undefined,
      };
    },
  };
  return { method, labels, W, calls, dispose: () => tf.dispose([x, W]) };
}

beforeAll(async () => {
  await useBackend('cpu');
});

describe('crossValidateFineTuning', () => {
  const made: { dispose(): void }[] = [];
  afterAll(() => made.forEach((m) => m.dispose()));

  it('trains each fold on the other folds\' people only, pools the folds\' validation pairs, and the final fit equals a plain run of e* epochs', async () => {
    const t = tinyMethod(20, 4, 1.5);
    made.push(t);
    const start = t.W.arraySync();
    const r = await crossValidateFineTuning(t.method, { folds: 4, epochs: 3, seed: 5 });
    // folds: 4 × 5 people, each person validated once, never trained on in its own fold
    expect(r.folds.map((f) => f.people.length)).toEqual([5, 5, 5, 5]);
    expect(new Set(r.folds.flatMap((f) => f.people)).size).toBe(20);
    for (let f = 0; f < 4; f++) {
      const trainPeople = new Set(Array.from(t.calls.begin[f]!, (i) => t.labels[i]!));
      const valPeople = new Set(Array.from(t.calls.scored[f * 4]!, (i) => t.labels[i]!)); // 4 scores per fold (epochs 0 … 3)
      expect([...valPeople].sort((a, b) => a - b)).toEqual([...r.folds[f]!.people]);
      for (const p of valPeople) expect(trainPeople.has(p)).toBe(false);
      expect(trainPeople.size + valPeople.size).toBe(20);
      expect(t.calls.seeds[f]).toBe(5 + 1000 * (f + 1));
    }
    // pooled EER per epoch = EER of the folds' distances concatenated (pairs only within a fold), computed independently
    for (let e = 0; e <= 3; e++) {
      const d: number[] = [], same: number[] = [];
      for (let f = 0; f < 4; f++) {
        d.push(...t.calls.distances[f * 4 + e]!);
        const lab = Array.from(t.calls.scored[f * 4 + e]!, (i) => t.labels[i]!);
        for (let i = 0; i < lab.length; i++) for (let j = i + 1; j < lab.length; j++) same.push(lab[i] === lab[j] ? 1 : 0);
      }
      expect(r.pooled[e]!.eer).toBeCloseTo(equalErrorRate(d, same).eer, 10);
      expect(r.pooledPairs).toEqual({ same: same.filter(Boolean).length, different: same.filter((s) => !s).length });
    }
    expect(r.pooledPairs).toEqual({ same: 4 * 5 * 6, different: 4 * 10 * 16 });
    // learning helps here: a significant epoch is kept
    expect(r.pooled[r.chosenEpoch]!.eer).toBeLessThan(r.pooled[0]!.eer);
    expect(r.chosenEpoch).toBeGreaterThan(0);
    expect(r.confidence).toBeGreaterThanOrEqual(0.95);
    expect(r.finalFit.map((h) => h.epoch)).toEqual(Array.from({ length: r.chosenEpoch }, (_, i) => i + 1));
    // the final fit: all images, seed 5, e* epochs from the start — replay it by hand
    expect(Array.from(t.calls.begin[4]!)).toEqual(Array.from(t.labels, (_, i) => i));
    const fitted = t.W.arraySync();
    t.W.assign(tf.tensor2d(start));
    const s = t.method.begin(Int32Array.from(t.labels, (_, i) => i), 5) as FineTuningSession;
    for (let e = 0; e < r.chosenEpoch; e++) s.trainEpoch();
    s.dispose();
    expect(t.W.arraySync()).toEqual(fitted);
    expect(fitted).not.toEqual(start);
  });

  it('keeps the starting weights bit for bit when no epoch is better (e* = 0), though every fold trained', async () => {
    const t = tinyMethod(20, 4, -1.5);
    made.push(t);
    const start = t.W.arraySync();
    const r = await crossValidateFineTuning(t.method, { folds: 4, epochs: 2, seed: 1 });
    for (const f of r.folds) expect(f.history[2]!.validationLoss).not.toBe(f.history[0]!.validationLoss); // the folds trained
    for (const p of r.pooled) expect(p.eer).toBeGreaterThanOrEqual(r.pooled[0]!.eer);
    expect(r.chosenEpoch).toBe(0);
    expect(r.finalFit).toEqual([]);
    expect(t.W.arraySync()).toEqual(start);
  });

  it('leaks nothing', async () => {
    const t = tinyMethod(12, 3, 0.2);
    made.push(t);
    await expectNoLeaks(() => crossValidateFineTuning(t.method, { folds: 3, epochs: 2 }));
  });

  it('throws typed errors before training', async () => {
    const t = tinyMethod(6, 3, 0.2);
    made.push(t);
    const bad = async (o: object) => {
      const n = t.calls.begin.length;
      await expect(crossValidateFineTuning(t.method, o)).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e));
      expect(t.calls.begin.length).toBe(n); // nothing trained
    };
    await bad({ folds: 1 });
    await bad({ folds: 4 }); // 6 people in 4 folds: a fold of 1 person has no different-person pair
    await bad({ folds: 7 });
    await bad({ epochs: 0 });
    await bad({ seed: 0.5 });
    await bad({ keepBest: { minConfidence: 2 } });
    await bad({ targetFar: 2 });
    await expect(crossValidateFineTuning(null as never)).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e));
    await expect(crossValidateFineTuning({ ...t.method, labels: [1, 2, 3, 4] }, { folds: 2 })).rejects.toThrow(/same-person pairs/);
    await expect(crossValidateFineTuning(t.method, { folds: 4 })).rejects.toThrow(/at most 3 folds/);
    // a method whose score() returns the wrong number of pairs: a typed error, the starting weights restored
    const w0 = t.W.arraySync();
    const broken: FineTuningMethod = { ...t.method, begin: (rows, seed) => ({ ...(t.method.begin(rows, seed) as FineTuningSession), score: () => ({ distances: [0.5], loss: 0 }) }) };
    await expect(crossValidateFineTuning(broken, { folds: 2, epochs: 1 })).rejects.toThrow(/one distance per pair/);
    expect(t.W.arraySync()).toEqual(w0);
  });
});
