import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { useBackend } from '@likeness/backends';
import { FaceResNet } from '@likeness/embeddings';
import { loadFaceResNetFromFaceApi } from '@likeness/embeddings/node';
import { decodeCheckpointWeights, encodeCheckpoint, memoryCheckpointStore } from '../trainer/checkpoint';
import { fileCheckpointStore } from '../node/file-checkpoint-store';
import { tripletObjective } from '@likeness/triplet';
import { fineTune, type TripletFineTuneOptions } from './fine-tune';
import { pseudoFaces } from '../testing/pseudo-faces';

let net: FaceResNet;
let train: ReturnType<typeof pseudoFaces>, val: ReturnType<typeof pseudoFaces>;
const dirs: string[] = [];

beforeAll(async () => {
  await useBackend('cpu');
  net = await loadFaceResNetFromFaceApi();
  train = pseudoFaces(3, 2, 0, 2, 0.4);
  val = pseudoFaces(2, 2, 10, 2, 0.4);
}, 120_000);

afterAll(() => {
  net?.dispose();
  tf.dispose([train?.images, val?.images]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// validation = other people; learning rates high enough that every epoch moves the weights and the Adam moments matter
const base = (): TripletFineTuneOptions => ({
  objective: tripletObjective({ p: 3, k: 2, margin: 0.5 }), select: { validation: val },
  stepsPerEpoch: 2, augmentations: 2, headLearningRate: 3e-3, backboneLearningRate: 1e-3, patience: 10, seed: 3,
  keepBest: { minConfidence: 0 }, // the guard off: later epochs are kept (the guard's own test is in fine-tune-face-resnet.test.ts)
});
const weightsOf = (ft: FaceResNet) => ft.trainableVariables().map((v) => Float32Array.from(v.dataSync()));
const maxDiff = (a: Float32Array[], b: Float32Array[]) => {
  let m = 0;
  a.forEach((x, i) => x.forEach((v, k) => { m = Math.max(m, Math.abs(v - b[i]![k]!)); }));
  return m;
};

describe('fineTune checkpoints (triplet objective) (weights + Adam state + random state)', () => {
  it('train 3 epochs = train 1, save, resume in a fresh net and optimiser, train 2 more: same weights, same Adam state (cpu)', async () => {
    // validation = the training people, so that later epochs are kept and the final weights are trained ones
    const opts = { ...base(), select: { validation: train } };
    const straightStore = memoryCheckpointStore();
    const straight = FaceResNet.fromPretrained(net, { trainableStages: 1 });
    const full = await fineTune(straight, train, { ...opts, epochs: 3, checkpoint: { store: straightStore } });
    expect(full.bestEpoch).toBeGreaterThan(0);
    const dir = mkdtempSync(join(tmpdir(), 'likeness-ft-resume-')); dirs.push(dir);
    const store = fileCheckpointStore(dir);
    const a = FaceResNet.fromPretrained(net, { trainableStages: 1 });
    const partA = await fineTune(a, train, { ...opts, epochs: 1, checkpoint: { store } });
    expect(partA.history.map((h) => h.epoch)).toEqual([0, 1]);
    a.dispose();
    expect(readdirSync(dir).sort()).toEqual(['checkpoint.json', 'weights-1.bin']); // no temp files left
    const afterOne = (await store.load())!;
    const b = FaceResNet.fromPretrained(net, { trainableStages: 1 });
    const seen: number[] = [];
    const partB = await fineTune(b, train, { ...opts, epochs: 3, checkpoint: { store }, onEpoch: (e) => seen.push(e.epoch) });
    expect(seen).toEqual([2, 3]); // continued, did not start over
    expect(partB.history.map((h) => h.epoch)).toEqual([0, 1, 2, 3]);
    partB.history.forEach((h, i) => {
      const f = full.history[i]!;
      expect(h.validationLoss).toBeCloseTo(f.validationLoss, 5);
      if (i > 0) expect(h.loss).toBeCloseTo(f.loss, 5);
      else expect(Number.isNaN(h.loss)).toBe(true);
      expect(h.confidence).toBe(f.confidence); // the guard's baseline (epoch 0's distances) came back from the checkpoint
    });
    expect(partB.bestEpoch).toBe(full.bestEpoch);
    expect(maxDiff(weightsOf(b), weightsOf(straight))).toBeLessThan(1e-5);
    expect(readdirSync(dir).sort()).toEqual(['checkpoint.json', 'weights-3.bin']);
    // the last epoch's weights and both Adam states (moments, step counts) agree too
    const endA = decodeCheckpointWeights((await straightStore.load())!), endB = decodeCheckpointWeights((await store.load())!);
    expect(Object.keys(endB).sort()).toEqual(Object.keys(endA).sort());
    expect(Object.keys(endA).filter((k) => k.startsWith('optimizer/')).length).toBeGreaterThan(4);
    for (const k of Object.keys(endA)) {
      expect(maxDiff([Float32Array.from(endB[k]!.dataSync())], [Float32Array.from(endA[k]!.dataSync())])).toBeLessThan(1e-5);
    }
    expect(endA['optimizer/head/0']!.dataSync()[0]).toBe(3 * 2); // Adam step count: 3 epochs × 2 steps
    // the weights did move: resuming identically is not the trivial "nothing changed"
    const fresh = FaceResNet.fromPretrained(net, { trainableStages: 1 });
    expect(maxDiff(weightsOf(fresh), weightsOf(straight))).toBeGreaterThan(1e-4);
    // the same checkpoint with the Adam moments zeroed and the step counts reset continues differently:
    // the optimiser state is part of what makes the resumed run identical
    const map = decodeCheckpointWeights(afterOne);
    const wiped = await encodeCheckpoint(afterOne.manifest.step, afterOne.manifest.state, Object.entries(map).map(([name, t]) => ({ name, tensor: name.startsWith('optimizer/') ? tf.zerosLike(t) : t })));
    const mem = memoryCheckpointStore();
    await mem.save(wiped);
    const c = FaceResNet.fromPretrained(net, { trainableStages: 1 });
    await fineTune(c, train, { ...opts, epochs: 3, checkpoint: { store: mem } });
    const endC = decodeCheckpointWeights((await mem.load())!);
    expect(maxDiff([Float32Array.from(endC['weights/fc']!.dataSync())], [Float32Array.from(endA['weights/fc']!.dataSync())])).toBeGreaterThan(1e-6);
    tf.dispose([...Object.values(map), ...Object.values(endA), ...Object.values(endB), ...Object.values(endC)]);
    [straight, b, c, fresh].forEach((x) => x.dispose());
  }, 600_000);
});
