import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { useBackend } from '@likeness/backends';
import { faceApiModelDir, loadFaceResNetFromFaceApi } from '../node/face-api-weights';
import { WeightsFormatError } from '../errors/weights-format-error';
import { faceResNetUrlHandler, loadFaceResNet } from './face-resnet';

beforeAll(async () => {
  await useBackend('cpu');
});

/** A fetch that serves face-api's model folder under /models/ (offline). */
const fakeFetch = (async (url: string) => {
  const m = /^\/models\/(.+)$/.exec(String(url));
  let body: Buffer | null = null;
  try {
    if (m) body = readFileSync(join(faceApiModelDir(), m[1]!));
  } catch {
    body = null;
  }
  if (!body) return new Response('not found', { status: 404 });
  return new Response(new Uint8Array(body));
}) as unknown as typeof fetch;

describe('faceResNetUrlHandler (browser loader)', () => {
  it('loads the same weights as the Node loader', async () => {
    const web = await loadFaceResNet(faceResNetUrlHandler('/models/face_recognition_model-weights_manifest.json', { fetch: fakeFetch }));
    const node = await loadFaceResNetFromFaceApi();
    const a = web.exportWeights();
    const b = node.exportWeights();
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    for (const k of Object.keys(a)) expect(Array.from(a[k]!.dataSync())).toEqual(Array.from(b[k]!.dataSync()));
    tf.dispose([...Object.values(a), ...Object.values(b)]);
    web.dispose();
    node.dispose();
  });

  it('a missing manifest or shard is a WeightsFormatError naming the URL', async () => {
    const e = await loadFaceResNet(faceResNetUrlHandler('/models/nope.json', { fetch: fakeFetch })).catch((x: unknown) => x);
    expect(WeightsFormatError.isInstance(e)).toBe(true);
    expect((e as Error).message).toMatch(/nope\.json.*HTTP 404/);
    const noShard = (async (url: string) => (String(url).endsWith('.json') ? fakeFetch(url) : new Response('x', { status: 404 }))) as unknown as typeof fetch;
    await expect(loadFaceResNet(faceResNetUrlHandler('/models/face_recognition_model-weights_manifest.json', { fetch: noShard }))).rejects.toThrow(/face_recognition_model\.bin.*404/);
  });
});
