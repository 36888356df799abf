import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { useBackend } from '@likeness/backends';
import { FaceResNet } from '@likeness/embeddings';
import { loadFaceResNetFromFaceApi } from '@likeness/embeddings/node';
import { syntheticFaces, tinyEncoder } from '@likeness/embeddings/testing';
import { createVerificationHead, siameseObjective } from '@likeness/siamese-binary';
import { tripletObjective } from '@likeness/triplet';
import { yieldToEventLoop } from './yield-to-event-loop';
import { train } from '../trainer/train';
import { fineTune } from '../fine-tune/fine-tune';
import { pseudoFaces } from '../testing/pseudo-faces';

// On the cpu backend `await tensor.data()` resolves as a microtask: without a
// macrotask between steps/epochs nothing else (timers, sockets, a page's input)
// runs until training ends. A setImmediate queued before the call is the probe:
// immediates run in order, so it has run once the loop's first yield resolved.
const probe = () => {
  const p = { ran: false };
  setImmediate(() => { p.ran = true; });
  return p;
};

const SHAPE: [number, number, number] = [6, 6, 1];
let data: ReturnType<typeof syntheticFaces>;
let net: FaceResNet;
beforeAll(async () => {
  await useBackend('cpu');
  data = syntheticFaces(6, 4, SHAPE, 0.3, 5);
  net = await loadFaceResNetFromFaceApi();
}, 120_000);
afterAll(() => {
  data.images.dispose();
  net?.dispose();
});

describe('training loops yield to the event loop', () => {
  it('yieldToEventLoop runs a macrotask queued before it', async () => {
    const p = probe();
    await Promise.resolve(); // a microtask is not enough
    expect(p.ran).toBe(false);
    await yieldToEventLoop();
    expect(p.ran).toBe(true);
  });

  it('train (triplet and siamese): other macrotasks run before the first step ends', async () => {
    const enc = tinyEncoder(SHAPE, 4, { seed: 2 });
    let p = probe();
    const seen: boolean[] = [];
    await train(enc, data, { objective: tripletObjective({ p: 3, k: 2 }), steps: 2, seed: 1, onWarning: () => undefined, onProgress: () => { seen.push(p.ran); } });
    expect(seen).toEqual([true, true]);
    const head = createVerificationHead({ embeddingSize: 4 });
    p = probe();
    seen.length = 0;
    await train(enc, data, { objective: siameseObjective(head), steps: 2, seed: 1, onProgress: () => { seen.push(p.ran); } });
    expect(seen).toEqual([true, true]);
    head.dispose();
    enc.dispose();
  });

  it('fineTune: other macrotasks run before the first epoch ends', async () => {
    const tr = pseudoFaces(3, 2, 0), val = pseudoFaces(2, 2, 10);
    const ft = FaceResNet.fromPretrained(net, { trainableStages: 1 });
    const p = probe();
    const seen: Record<number, boolean> = {};
    await fineTune(ft, tr, {
      objective: tripletObjective({ p: 3, k: 2 }), select: { validation: val }, epochs: 1, stepsPerEpoch: 1, augmentations: 1, seed: 1,
      onEpoch: (e) => { seen[e.epoch] = p.ran; },
    });
    expect(seen).toEqual({ 0: true, 1: true }); // the loop yields once the feature cache is built, before epoch 0 is scored
    ft.dispose();
    tf.dispose([tr.images, val.images]);
  }, 300_000);
});
