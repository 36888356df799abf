import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { ShapeError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { faceApiModelDir, loadFaceResNetFromFaceApi } from '../node/face-api-weights';
import { WeightsFormatError } from '../errors/weights-format-error';
import { FaceResNet, loadFaceResNet } from './face-resnet';

/** Deterministic pseudo-random 0–255 pixels (a smooth pattern plus noise, like a photo). */
function pixels(seed: number, n: number): Float32Array {
  let s = seed;
  const out = new Float32Array(n * 150 * 150 * 3);
  for (let i = 0; i < out.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const p = Math.floor(i / 3) % 22500;
    const y = Math.floor(p / 150), x = p % 150;
    out[i] = Math.min(255, Math.max(0, 128 + 90 * Math.sin((x + seed * 7) / 17) * Math.cos(y / 23) + (s / 2147483648 - 0.5) * 60));
  }
  return out;
}

let net: FaceResNet;
let reference: Float32Array[];
const N = 2;

beforeAll(async () => {
  // face-api itself (its Node build bundles the full @tensorflow/tfjs; a dev dependency only)
  const require = createRequire(import.meta.url);
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
  await faceapi.tf.setBackend('cpu');
  await faceapi.tf.ready();
  await faceapi.nets.faceRecognitionNet.loadFromDisk(faceApiModelDir());
  reference = [];
  for (let i = 0; i < N; i++) {
    const x = faceapi.tf.tensor3d(pixels(i + 1, 1), [150, 150, 3]);
    reference.push(await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(x));
    x.dispose();
  }
  faceapi.nets.faceRecognitionNet.dispose();
  await useBackend('cpu');
  net = await loadFaceResNetFromFaceApi();
}, 120_000);

afterAll(() => net?.dispose());

describe('FaceResNet (dlib ResNet from face-api weights)', () => {
  it('matches face-api descriptors on identical input: Euclidean distance ≤ 1e-5', () => {
    const x = tf.tensor4d(pixels(1, 1).map((v) => v / 255), [1, 150, 150, 3]);
    const x2 = tf.tensor4d(pixels(2, 1).map((v) => v / 255), [1, 150, 150, 3]);
    const d = net.encode(tf.concat([x, x2]) as tf.Tensor4D).arraySync();
    for (let i = 0; i < N; i++) {
      const ref = reference[i]!;
      expect(ref.length).toBe(128);
      const dist = Math.sqrt(d[i]!.reduce((a, v, k) => a + (v - ref[k]!) ** 2, 0));
      expect(dist).toBeLessThanOrEqual(1e-5);
    }
    // the two inputs differ, so must their descriptors (guards against a constant output)
    const between = Math.sqrt(d[0]!.reduce((a, v, k) => a + (v - d[1]![k]!) ** 2, 0));
    expect(between).toBeGreaterThan(0.05);
  });

  it('is frozen and refuses wrong sizes and channel counts', () => {
    expect(net.trainableVariables()).toEqual([]);
    expect(net.trainableStages).toBe(0);
    expect(net.featureShape).toEqual([2, 2, 256]);
    expect(() => net.headVariable).toThrowError(/fromPretrained/);
    expect(() => net.encode(tf.zeros([1, 112, 92, 1]) as tf.Tensor4D)).toThrowError(ShapeError);
    expect(() => net.encode(tf.zeros([1, 150, 150, 1]) as tf.Tensor4D)).toThrowError(/tf.tile/);
    expect(() => net.encode(tf.zeros([1, 100, 100, 3]) as tf.Tensor4D)).toThrowError(/150×150/);
  });

  it('leaks nothing (encode; load + dispose)', async () => {
    const before = tf.memory().numTensors;
    (await loadFaceResNetFromFaceApi()).dispose();
    expect(tf.memory().numTensors).toBe(before);
    const x = tf.zeros([1, 150, 150, 3]) as tf.Tensor4D;
    await expectNoLeaks(() => net.encode(x));
    x.dispose();
  });

  it('truncated or foreign weights raise WeightsFormatError and leak nothing', async () => {
    const dir = faceApiModelDir();
    const manifest = JSON.parse(readFileSync(join(dir, 'face_recognition_model-weights_manifest.json'), 'utf8'));
    const bin = readFileSync(join(dir, 'face_recognition_model.bin'));
    const data = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
    const before = tf.memory().numTensors;
    const truncated = loadFaceResNet(tf.io.fromMemory({ weightSpecs: manifest[0].weights, weightData: data.slice(0, 1000) }));
    await expect(truncated).rejects.toSatisfy((e: unknown) => WeightsFormatError.isInstance(e) && /truncated/.test((e as Error).message));
    const specs = manifest[0].weights.filter((w: { name: string }) => w.name !== 'fc');
    const noFc = loadFaceResNet(tf.io.fromMemory({ weightSpecs: specs, weightData: data.slice(0, data.byteLength - 256 * 128) }));
    await expect(noFc).rejects.toThrow(/"fc" is missing/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
