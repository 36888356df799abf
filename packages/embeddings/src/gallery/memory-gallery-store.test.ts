import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, useBackend } from '@likeness/backends';
import { createGallery } from './gallery';
import { deserializeGallery, serializeGallery } from './gallery-file';
import { MemoryGalleryStore } from './memory-gallery-store';

beforeAll(async () => {
  await useBackend('cpu');
});

function rows(n: number, d: number, seed: number): Float32Array[] {
  let s = seed >>> 0;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296 - 0.5;
  return Array.from({ length: n }, () => Float32Array.from({ length: d }, next));
}
function l2(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}

describe('MemoryGalleryStore', () => {
  it('answers k-NN equal to float64 brute force after enrolments and removals (ids follow the swapped rows)', async () => {
    const D = 24;
    const store = new MemoryGalleryStore(D, 'l2', 2, { blockSize: 5 });
    const vecs = rows(60, D, 7);
    const entries = vecs.map((embedding, i) => ({ id: `e${i}`, identity: `p${i % 9}`, embedding }));
    store.doAdd(entries.slice(0, 30));
    store.doAdd(entries.slice(30));
    expect(await store.doRemove(['e3', 'e59', 'e3', 'nope', 'e17', 'e40'])).toBe(4);
    expect(store.size()).toBe(56);
    const kept = entries.filter((e) => !['e3', 'e59', 'e17', 'e40'].includes(e.id));
    // every entry still carries its own embedding and identity
    const listed = new Map((await store.doEntries()).map((e) => [e.id, e]));
    expect(listed.size).toBe(56);
    for (const e of kept) {
      expect(listed.get(e.id)!.identity).toBe(e.identity);
      expect(Array.from(listed.get(e.id)!.embedding)).toEqual(Array.from(e.embedding));
    }
    const queries = rows(3, D, 8);
    const flat = new Float32Array(3 * D);
    queries.forEach((q, i) => flat.set(q, i * D));
    const hits = await store.doSearch(flat, 6);
    queries.forEach((q, i) => {
      const ref = kept.map((e) => ({ id: e.id, identity: e.identity, distance: l2(e.embedding, q) })).sort((a, b) => a.distance - b.distance).slice(0, 6);
      expect(hits[i]).toEqual(ref);
    });
    store.dispose();
  });

  it('refuses a duplicate id before adding anything', () => {
    const store = new MemoryGalleryStore(2);
    store.doAdd([{ id: 'a', identity: 'x', embedding: Float32Array.from([1, 2]) }]);
    expect(() => store.doAdd([{ id: 'b', identity: 'x', embedding: Float32Array.from([1, 2]) }, { id: 'a', identity: 'y', embedding: Float32Array.from([3, 4]) }])).toThrow(InvalidArgumentError);
    expect(() => store.doAdd([{ id: 'c', identity: 'x', embedding: Float32Array.from([1, 2]) }, { id: 'c', identity: 'y', embedding: Float32Array.from([3, 4]) }])).toThrow(/"c" already exists/);
    expect(store.size()).toBe(1);
  });

  it('holds one copy: no tensors on the backend while enrolling, searching, removing, saving and loading', async () => {
    const before = tf.memory().numTensors;
    const g = createGallery({ dimension: 16 });
    const vecs = rows(40, 16, 3);
    for (let p = 0; p < 8; p++) await g.enrol(`p${p}`, vecs.slice(p * 5, p * 5 + 5));
    const probe = tf.tensor2d(vecs[12]!, [1, 16]);
    const [r] = await g.identify(probe, { threshold: 1e-6, k: 3 });
    expect(r!.identity).toBe('p2');
    expect(r!.distance).toBe(0);
    probe.dispose();
    expect(tf.memory().numTensors).toBe(before);
    await g.remove('p2');
    const copy = deserializeGallery(await serializeGallery(g));
    expect((await copy.identify(vecs[13]!, { threshold: 1e9 }))[0]!.identity).not.toBe('p2');
    expect(await copy.count()).toBe(35);
    expect(tf.memory().numTensors).toBe(before);
    expect((g.backingStore as MemoryGalleryStore).bytesPerEntry).toBe(4 * 16 + 16 + 32);
    g.dispose();
    copy.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('searches on 2 worker threads by default, with the answers of 1 thread, and queues writes behind a running search', async () => {
    const D = 32;
    const vecs = rows(3000, D, 21);
    const entries = vecs.map((embedding, i) => ({ id: `e${i}`, identity: `p${i % 50}`, embedding }));
    const two = new MemoryGalleryStore(D, 'cosine', 16, { blockSize: 256, minRowsPerThread: 256 });
    const one = new MemoryGalleryStore(D, 'cosine', 16, { blockSize: 256, threads: 1 });
    expect(two.threads).toBe(Math.min(2, (await import('node:os')).availableParallelism()));
    expect(one.threads).toBe(1);
    await two.doUpsert(entries);
    await one.doUpsert(entries);
    const flat = new Float32Array(20 * D);
    rows(20, D, 22).forEach((q, i) => flat.set(q, i * D));
    expect(await two.doSearch(flat, 7)).toEqual(await one.doSearch(flat, 7));
    // issued together: the search sees the store as it was, the removal waits for it, the next search sees the removal
    const before = two.doSearch(flat.subarray(0, D), 3);
    const removed = two.doRemoveIdentity('p7');
    const after = two.doSearch(flat.subarray(0, D), 3000);
    expect((await before)[0]).toEqual((await one.doSearch(flat.subarray(0, D), 3))[0]);
    expect(await removed).toBe(60);
    const hits = (await after)[0]!;
    expect(hits.length).toBe(2940);
    expect(hits.some((h) => h.identity === 'p7')).toBe(false);
    await two.close();
    await two.close(); // idempotent
    await one.close();
    await expect(two.doSearch(flat, 1)).rejects.toThrow(/disposed/);
  });
});
