import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, useBackend } from '@likeness/backends';
import { createCompactEncoder } from '../encoder/compact-encoder';
import { WeightsFormatError } from '../errors/weights-format-error';
import { fileSystemHandler } from '../node/file-system-handler';
import { writeFileAtomic } from '../node/write-file-atomic';
import { COMPACT_ENCODER_FORMAT, loadCompactEncoder, saveCompactEncoder } from './compact-encoder-weights';

beforeAll(async () => {
  await useBackend('cpu');
});

const opts = { inputShape: [8, 6, 1] as const, channels: [4, 8], embeddingSize: 5, seed: 4 };
const x = () => tf.randomUniform([3, 8, 6, 1], 0, 1, 'float32', 2) as tf.Tensor4D;

async function trainedEncoder() {
  const enc = createCompactEncoder(opts);
  const xs = x();
  enc.encode(xs, { training: true }).dispose(); // non-trivial moving statistics
  xs.dispose();
  return enc;
}

async function memoryArtifacts(enc: Awaited<ReturnType<typeof trainedEncoder>>): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await saveCompactEncoder(enc, tf.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  return saved!;
}

async function rejects(p: Promise<unknown>): Promise<Error> {
  try { await p; } catch (e) { return e as Error; }
  throw new Error('expected a rejection');
}

describe('compact encoder weights', () => {
  it('round-trips through memory: same outputs, moving statistics kept, standard tf.io specs', async () => {
    const enc = await trainedEncoder();
    const art = await memoryArtifacts(enc);
    expect(art.weightSpecs!.map((s) => s.name)).toContain('block1/bn/moving_variance');
    const again = await loadCompactEncoder(tf.io.fromMemory(art));
    const xs = x();
    expect(Array.from(again.encode(xs).dataSync())).toEqual(Array.from(enc.encode(xs).dataSync()));
    expect(again.config).toEqual(enc.config);
    tf.dispose(xs); enc.dispose(); again.dispose();
    // load + dispose, save: nothing left behind
    const e2 = await trainedEncoder();
    const a2 = await memoryArtifacts(e2);
    const before = tf.memory().numTensors;
    (await loadCompactEncoder(tf.io.fromMemory(a2))).dispose();
    await memoryArtifacts(e2);
    expect(tf.memory().numTensors).toBe(before);
    e2.dispose();
  });

  it('round-trips through files in the tfjs model.json layout; re-saving replaces the shard', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'likeness-enc-'));
    const enc = await trainedEncoder();
    await saveCompactEncoder(enc, fileSystemHandler(dir));
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json.modelTopology.format).toBe(COMPACT_ENCODER_FORMAT);
    expect(json.weightsManifest[0].paths).toHaveLength(1);
    const again = await loadCompactEncoder(fileSystemHandler(dir));
    const xs = x();
    expect(Array.from(again.encode(xs).dataSync())).toEqual(Array.from(enc.encode(xs).dataSync()));
    // train a bit more, save again: exactly one shard left, the new one
    enc.encode(xs, { training: true }).dispose();
    await saveCompactEncoder(enc, fileSystemHandler(join(dir, 'model.json')));
    const shards = readdirSync(dir).filter((f) => f.endsWith('.bin'));
    expect(shards).toHaveLength(1);
    expect(shards[0]).not.toBe(json.weightsManifest[0].paths[0]);
    expect(readdirSync(dir).some((f) => f.includes('.tmp-'))).toBe(false);
    tf.dispose(xs); enc.dispose(); again.dispose();
  });

  it('corrupted, truncated and foreign files raise WeightsFormatError and leak nothing', async () => {
    const enc = await trainedEncoder();
    const art = await memoryArtifacts(enc);
    const before = tf.memory().numTensors;
    const data = art.weightData as ArrayBuffer;
    const cases: [string, tf.io.ModelArtifacts, RegExp][] = [
      ['truncated', { ...art, weightData: data.slice(0, data.byteLength - 4) }, /truncated/],
      ['foreign', { ...art, modelTopology: { format: 'layers-model' } }, /not a compact encoder/],
      ['future', { ...art, modelTopology: { ...(art.modelTopology as object), formatVersion: 99 } }, /upgrade/],
      ['missing weight', { ...art, weightSpecs: art.weightSpecs!.filter((s) => s.name !== 'dense/bias'), weightData: data.slice(0, data.byteLength - 20) }, /dense\/bias.*missing/],
      ['bad architecture', { ...art, modelTopology: { ...(art.modelTopology as object), config: { inputShape: [2] } } }, /architecture/],
    ];
    const nan = new Float32Array(data.slice(0));
    nan[3] = NaN;
    cases.push(['NaN', { ...art, weightData: nan.buffer }, /NaN.*corrupted/]);
    for (const [, a, re] of cases) {
      const e = await rejects(loadCompactEncoder(tf.io.fromMemory(a)));
      expect(WeightsFormatError.isInstance(e)).toBe(true);
      expect(e.message).toMatch(re);
    }
    expect(tf.memory().numTensors).toBe(before);
    enc.dispose();
  });

  it('file errors: a truncated shard, broken JSON, a missing shard', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'likeness-enc-'));
    const enc = await trainedEncoder();
    await saveCompactEncoder(enc, fileSystemHandler(dir));
    const bin = readdirSync(dir).find((f) => f.endsWith('.bin'))!;
    const full = readFileSync(join(dir, bin));
    writeFileSync(join(dir, bin), full.subarray(0, 100));
    expect((await rejects(loadCompactEncoder(fileSystemHandler(dir)))).message).toMatch(/truncated/);
    writeFileSync(join(dir, 'model.json'), '{"weightsManifest": [');
    expect((await rejects(loadCompactEncoder(fileSystemHandler(dir)))).message).toMatch(/not valid JSON/);
    const e = await rejects(loadCompactEncoder(fileSystemHandler(join(dir, 'nope'))));
    expect(WeightsFormatError.isInstance(e)).toBe(true);
    expect(e.message).toMatch(/ENOENT/);
    enc.dispose();
  });

  it('a failed atomic write leaves the old file intact and no temporary file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'likeness-atomic-'));
    const f = join(dir, 'g.json');
    await writeFileAtomic(f, 'old');
    await expect(writeFileAtomic(f, 12345 as unknown as string)).rejects.toThrow();
    expect(readFileSync(f, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['g.json']);
    await writeFileAtomic(f, 'new');
    expect(readFileSync(f, 'utf8')).toBe('new');
  });

  it('refuses a non-encoder or a non-handler', async () => {
    const enc = await trainedEncoder();
    expect(InvalidArgumentError.isInstance(await rejects(saveCompactEncoder({} as never, tf.io.fromMemory({}))))).toBe(true);
    expect((await rejects(saveCompactEncoder(enc, {} as never))).message).toMatch(/save\(\)/);
    expect((await rejects(loadCompactEncoder('model.json' as never))).message).toMatch(/load\(\)/);
    enc.dispose();
    expect((await rejects(saveCompactEncoder(enc, tf.io.fromMemory({})))).message).toMatch(/live CompactEncoder/);
  });
});
