// Test-only setup, outside src/ so that neither the published files nor the
// `@likeness/training/testing` entry import a backend or Node-only loaders.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll } from 'vitest';
import '@likeness/backends/wasm';
import { useBackend } from '@likeness/backends';
import type { FaceResNet } from '@likeness/embeddings';
import { loadFaceResNetFromFaceApi } from '@likeness/embeddings/node';

/**
 * Registers the setup every fine-tuning test file shares: the wasm backend (the
 * ResNet's convolutions are ~10× faster than on cpu), face-api's pretrained face
 * ResNet handed to `setup`, and, after the file, the net and the face sets
 * `setup` returns freed.
 */
export function withPretrainedFaceResNet(setup: (net: FaceResNet) => { images: tf.Tensor }[]): void {
  let net: FaceResNet | undefined;
  let sets: { images: tf.Tensor }[] = [];
  beforeAll(async () => {
    await useBackend('wasm');
    net = await loadFaceResNetFromFaceApi();
    sets = setup(net);
  }, 120_000);
  afterAll(() => {
    net?.dispose();
    tf.dispose(sets.map((s) => s.images));
  });
}
