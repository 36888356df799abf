import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, useBackend } from '@likeness/backends';
import { fileHandler } from './file-handler';
import { loadNsfwjsArtifacts } from './nsfwjs-files';
import { loadVgg } from '../backbones/vgg';
import { WeightsMismatchError } from '../errors/weights-mismatch-error';
import { generateVggWeights } from '../__fixtures__/vgg-weights';

let dir: string;
beforeAll(async () => {
  await useBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'likeness-nst-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('fileHandler + loadVgg', () => {
  it('loads a VGG-16 model.json with sharded weights from disk, and refuses it as VGG-19', async () => {
    const w = generateVggWeights(16, 5, '', false);
    const { data, specs } = await tf.io.encodeWeights(w.keras);
    const buf = new Uint8Array(data as ArrayBuffer);
    const half = Math.floor(buf.length / 2);
    await writeFile(join(dir, 'a.bin'), buf.slice(0, half));
    await writeFile(join(dir, 'b.bin'), buf.slice(half));
    await writeFile(join(dir, 'model.json'), JSON.stringify({ weightsManifest: [{ paths: ['a.bin', 'b.bin'], weights: specs }] }));
    const vgg = await loadVgg(fileHandler(join(dir, 'model.json')), { depth: 16 });
    const x = tf.randomUniform([1, 16, 16, 3]) as tf.Tensor4D;
    const a = vgg.extract(x, ['relu1_1']).relu1_1!;
    expect(a.shape).toEqual([1, 16, 16, 64]);
    const err = await loadVgg(fileHandler(join(dir, 'model.json')), { depth: 19 }).catch((e: unknown) => e);
    expect(WeightsMismatchError.isInstance(err) && err.weight).toBe('block3_conv4/kernel');
    tf.dispose([x, a, ...Object.values(w.keras)]);
    vgg.dispose();
  });

  it('says what is wrong with a missing or non-model file', async () => {
    const missing = await fileHandler(join(dir, 'nope.json')).load!().catch((e: unknown) => e);
    expect(WeightsMismatchError.isInstance(missing)).toBe(true);
    await writeFile(join(dir, 'other.json'), '{"hello": 1}');
    const other = await fileHandler(join(dir, 'other.json')).load!().catch((e: unknown) => e);
    expect((other as Error).message).toMatch(/no weightsManifest/);
    expect(() => fileHandler('')).toThrow(/modelJsonPath/);
    const bad = await loadNsfwjsArtifacts('resnet' as 'mobilenet_v2').catch((e: unknown) => e);
    expect(InvalidArgumentError.isInstance(bad) && bad.argument).toBe('model');
  });
});
