import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, ShapeError, useBackend } from '@likeness/backends';
import { GalleryEmptyError } from '../errors/gallery-empty-error';
import { GalleryFormatError } from '../errors/gallery-format-error';
import { loadGallery, saveGallery } from '../node/gallery-files';
import { createGallery } from './gallery';
import { deserializeGallery, serializeGallery } from './gallery-file';
import { MemoryGalleryStore } from './memory-gallery-store';

beforeAll(async () => {
  await useBackend('cpu');
});

function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5;
}
const D = 8;
function data(seed: number, people: number, perPerson: number) {
  const r = lcg(seed);
  const out: { who: string; e: number[] }[] = [];
  for (let p = 0; p < people; p++) for (let i = 0; i < perPerson; i++) out.push({ who: `p${p}`, e: Array.from({ length: D }, r) });
  return out;
}
function brute(q: number[], entries: { who: string; e: number[] }[], metric: 'l2' | 'squared-l2' | 'cosine') {
  const dist = (a: number[], b: number[]) => {
    if (metric === 'cosine') {
      const dot = a.reduce((s, v, i) => s + v * b[i]!, 0);
      return 1 - dot / Math.sqrt(a.reduce((s, v) => s + v * v, 0) * b.reduce((s, v) => s + v * v, 0));
    }
    const s = a.reduce((acc, v, i) => acc + (v - b[i]!) ** 2, 0);
    return metric === 'l2' ? Math.sqrt(s) : s;
  };
  const best = new Map<string, number>();
  for (const x of entries) best.set(x.who, Math.min(best.get(x.who) ?? Infinity, dist(q, x.e)));
  return [...best.entries()].sort((a, b) => a[1] - b[1]);
}

describe('Gallery', () => {
  for (const metric of ['l2', 'squared-l2', 'cosine'] as const) {
    it(`identify (${metric}) returns the brute-force k nearest identities, across search blocks`, async () => {
      const entries = data(3, 12, 3);
      const store = new MemoryGalleryStore(D, metric, 4, { blockSize: 7 }); // 36 entries → 6 blocks
      const g = createGallery({ store, metric });
      for (const x of entries) await g.enrol(x.who, x.e);
      expect(await g.count()).toBe(36);
      const queries = data(99, 5, 1).map((x) => x.e);
      const res = await g.identify(queries, { threshold: 1e9, k: 4 });
      res.forEach((r, qi) => {
        const ref = brute(queries[qi]!, entries, metric).slice(0, 4);
        expect(r.candidates.map((c) => c.identity)).toEqual(ref.map((x) => x[0]));
        r.candidates.forEach((c, i) => expect(c.distance).toBeCloseTo(ref[i]![1], 4));
        expect(r.identity).toBe(ref[0]![0]);
      });
      g.dispose();
    });
  }

  it('answers "unknown" beyond the threshold; verify is distance ≤ threshold (3-4-5 by hand)', async () => {
    const g = createGallery();
    await g.enrol('alice', [0, 0]);
    await g.enrol('bob', [10, 0]);
    const [r] = await g.identify([3, 4], { threshold: 4.9 });
    expect(r!.identity).toBeNull();
    expect(r!.distance).toBeCloseTo(5, 5);
    const [r2] = await g.identify(tf.tensor1d([3, 4]), { threshold: 5 });
    expect(r2!.identity).toBe('alice');
    expect(await g.verify([0, 0], [3, 4], 5)).toEqual({ same: true, distance: 5 });
    expect((await g.verify([0, 0], [3, 4], 4.99)).same).toBe(false);
    const sq = createGallery({ metric: 'squared-l2' });
    expect((await sq.verify([0, 0], [3, 4], 25)).distance).toBe(25);
    g.dispose();
  });

  it('enrols several images per identity, removes and updates', async () => {
    const g = createGallery();
    const ids = await g.enrol('alice', tf.tensor2d([[0, 0], [1, 0]]));
    expect(ids).toHaveLength(2);
    await g.enrol('bob', [[5, 5]]);
    expect((await g.identities())).toEqual(['alice', 'bob']);
    expect(await g.remove({ ids: [ids[1]!] })).toBe(1);
    expect(await g.entriesOf('alice')).toEqual([ids[0]]);
    expect((await g.identify([0.9, 0], { threshold: 1 }))[0]!.distance).toBeCloseTo(0.9, 5);
    await g.update('alice', [[4, 4]]);
    expect(await g.count()).toBe(2);
    expect((await g.identify([4, 4], { threshold: 0.1 }))[0]!.identity).toBe('alice');
    expect(await g.remove('alice')).toBe(1);
    expect(await g.identities()).toEqual(['bob']);
    expect(await g.remove('nobody')).toBe(0);
    g.dispose();
  });

  it('bad input: empty gallery, mismatched dimension, NaN (nothing changed), bad threshold', async () => {
    const g = createGallery();
    await expect(g.identify([1, 2], { threshold: 0.6 })).rejects.toSatisfy((e: unknown) => GalleryEmptyError.isInstance(e) && /enrol/.test((e as Error).message));
    await g.enrol('a', [1, 2]);
    await expect(g.enrol('b', [1, 2, 3])).rejects.toSatisfy((e: unknown) => ShapeError.isInstance(e) && /length 2/.test((e as Error).message));
    await expect(g.enrol('b', [[1, 2], [NaN, 0]])).rejects.toSatisfy((e: unknown) => InvalidArgumentError.isInstance(e) && /NaN/.test((e as Error).message));
    expect(await g.count()).toBe(1);
    expect(await g.identities()).toEqual(['a']);
    await expect(g.identify([1, 2], { threshold: -1 })).rejects.toThrow(/threshold/);
    await expect(g.identify([1, 2], { threshold: 1, k: 0 })).rejects.toThrow(/options.k/);
    await expect(g.enrol('', [1, 2])).rejects.toThrow(/identity/);
    expect(() => createGallery({ metric: 'dot' as 'l2' })).toThrow(InvalidArgumentError);
    g.dispose();
  });

  it('leaks no tensors: enrol, identify, remove, dispose', async () => {
    const before = tf.memory().numTensors;
    const g = createGallery();
    const e = tf.tensor2d([[1, 2], [3, 4]]);
    await g.enrol('a', e);
    await g.identify(e, { threshold: 1, k: 1 });
    await g.remove('a');
    await g.enrol('b', [0, 1]);
    await g.identify([0, 1], { threshold: 1 });
    g.dispose();
    e.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('gallery files', () => {
  async function sample() {
    const g = createGallery({ metric: 'cosine' });
    for (const x of data(5, 4, 2)) await g.enrol(x.who, x.e);
    return g;
  }

  it('round-trips: same identities and the same answers', async () => {
    const g = await sample();
    const bytes = await serializeGallery(g);
    const h = deserializeGallery(bytes);
    expect(h.metric).toBe('cosine');
    expect((await h.identities())).toEqual((await g.identities()));
    const q = data(7, 3, 1).map((x) => x.e);
    expect(await h.identify(q, { threshold: 0.5, k: 2 })).toEqual(await g.identify(q, { threshold: 0.5, k: 2 }));
    const empty = deserializeGallery(await serializeGallery(createGallery()));
    expect(await empty.count()).toBe(0);
    g.dispose(); h.dispose();
  });

  it('refuses other versions, truncation, corruption and foreign files with GalleryFormatError', async () => {
    const g = await sample();
    const bytes = await serializeGallery(g);
    const v2 = bytes.slice(); new DataView(v2.buffer).setUint32(4, 2, true);
    const e2 = (() => { try { deserializeGallery(v2); } catch (e) { return e as GalleryFormatError; } })()!;
    expect(GalleryFormatError.isInstance(e2)).toBe(true);
    expect(e2.formatVersion).toBe(2);
    expect(e2.message).toMatch(/Upgrade/);
    expect(() => deserializeGallery(bytes.slice(0, bytes.length - 3))).toThrow(/truncated/);
    const flipped = bytes.slice(); flipped[flipped.length - 2]! ^= 0xff;
    expect(() => deserializeGallery(flipped)).toThrow(/checksum/);
    expect(() => deserializeGallery(new TextEncoder().encode('{"not":"a gallery"}'))).toThrow(/magic/);
    g.dispose();
  });

  it('saves atomically in Node and loads back; a failed save keeps the old file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'likeness-gallery-'));
    const file = join(dir, 'faces.lkgl');
    const g = await sample();
    await saveGallery(g, file);
    const before = readFileSync(file);
    await g.enrol('p9', data(11, 1, 1)[0]!.e);
    // a save that fails mid-way (the gallery's store throws while being read) leaves the old file
    const broken = createGallery({ store: { ...new MemoryGalleryStore(D, 'l2'), specificationVersion: 'v1', dimension: D, metric: 'l2', size: () => 1, doAdd() {}, doRemove: () => 0, doSearch: () => [], doEntries: () => { throw new Error('disk gone'); } } });
    await expect(saveGallery(broken, file)).rejects.toThrow(/disk gone/);
    expect(readFileSync(file).equals(before)).toBe(true);
    await saveGallery(g, file);
    const h = await loadGallery(file);
    expect(await h.count()).toBe(9);
    expect(readdirSync(dir)).toEqual(['faces.lkgl']);
    writeFileSync(file, before.subarray(0, 20));
    await expect(loadGallery(file)).rejects.toSatisfy((e: unknown) => GalleryFormatError.isInstance(e));
    await expect(loadGallery(join(dir, 'missing.lkgl'))).rejects.toThrow(/ENOENT/);
    g.dispose(); h.dispose();
  });
});
