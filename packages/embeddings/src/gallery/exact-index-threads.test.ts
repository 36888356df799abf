import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, LikenessError, WorkerThreadError } from '@likeness/backends';
import type { DistanceMetric } from '../distance/distance-metric';
import { ExactIndex, type ExactSearchResult } from './exact-index';
import type { ExactIndexScanTask, ExactIndexWorkers } from './exact-index-workers';
import { brute, lcg, randomRows } from './exact-index.fixture';


function plain(results: ExactSearchResult[]) {
  return results.map((r) => ({ rows: Array.from(r.rows), distances: Array.from(r.distances) }));
}

/** searchAsync on the threads equals brute force in float64 (bit for bit) and the calling thread's search. */
async function expectExactThreaded(index: ExactIndex, rows: Float32Array, queries: Float32Array, k: number): Promise<void> {
  const d = index.dimension;
  const got = plain(await index.searchAsync(queries, k));
  expect(got.length).toBe(queries.length / d);
  got.forEach((res, q) => {
    const ref = brute(rows, d, queries.subarray(q * d, (q + 1) * d), k, index.metric);
    expect(res.rows).toEqual(ref.map((x) => x.row));
    expect(res.distances).toEqual(ref.map((x) => x.dist));
  });
  expect(got).toEqual(plain(index.search(queries, k)));
}

const metrics: DistanceMetric[] = ['l2', 'squared-l2', 'cosine'];

describe('ExactIndex on worker threads', () => {
  it('uses 2 threads by default in Node (where 2 cores are available), 1 when asked or with the js kernel', async () => {
    const os = await import('node:os');
    const index = new ExactIndex(8);
    expect(index.threads).toBe(Math.min(2, os.availableParallelism()));
    expect(new ExactIndex(8, 'l2', { threads: 1 }).threads).toBe(1);
    expect(new ExactIndex(8, 'l2', { threads: 3 }).threads).toBe(3);
    expect(new ExactIndex(8, 'l2', { kernel: 'js' }).threads).toBe(1);
    index.dispose();
  });

  for (const threads of [2, 3]) {
    for (const metric of metrics) {
      it(`${threads} threads, ${metric}: equals brute force and the one-thread search (D not a multiple of 16, Q > 16, many blocks, growing)`, async () => {
        const D = 37;
        const rows = randomRows(700, D, 1);
        const index = new ExactIndex(D, metric, { threads, minRowsPerThread: 1, capacity: 3, blockSize: 64 });
        expect(index.threads).toBe(threads);
        index.add(rows.subarray(0, 300 * D));
        await expectExactThreaded(index, rows.subarray(0, 300 * D), randomRows(5, D, 9), 4);
        index.add(rows.subarray(300 * D)); // grows the shared memory after the workers started
        await expectExactThreaded(index, rows, randomRows(21, D, 2), 7);
        await expectExactThreaded(index, rows, randomRows(1, D, 3), 1);
        await index.close();
      });
    }
  }

  for (const metric of metrics) {
    it(`${metric}: breaks exact ties by row across the workers' shares`, async () => {
      const D = 16;
      const r = lcg(5);
      const base = Array.from({ length: 40 }, () => Array.from({ length: D }, () => Math.round(r() * 8)));
      const list: number[][] = [];
      for (const b of base) {
        list.push(b, [...b], b.map((v, i) => (i === 3 ? v + 1e-6 : v)), b.map((v, i) => (i === 5 ? v * (1 + 2 ** -20) : v)));
        list.push([...b].reverse());
      }
      for (const b of base) list.push([...b]); // a third copy of each base row, in the other workers' share
      const rows = Float32Array.from(list.flat());
      const index = new ExactIndex(D, metric, { threads: 2, minRowsPerThread: 1, blockSize: 33 });
      index.add(list);
      const queries = Float32Array.from([...base[7]!, ...new Array<number>(D).fill(0), ...base[0]!.map((v) => v + 1e-6)]);
      await expectExactThreaded(index, rows, queries, 12);
      const [first] = await index.searchAsync([base[7]!], 3);
      expect(Array.from(first!.rows)).toEqual([35, 36, 207]); // the row, its duplicate (share 1) and its copy (share 2), lower row first
      await index.close();
    });
  }

  it('stays exact after removes and re-adds (updates), down to an empty index', async () => {
    const D = 20;
    const rows = randomRows(200, D, 31);
    const index = new ExactIndex(D, 'l2', { threads: 2, minRowsPerThread: 1, blockSize: 16 });
    index.add(rows);
    await index.searchAsync(randomRows(1, D, 1), 2); // the workers are running
    const ids = Array.from({ length: 200 }, (_, i) => i);
    const removed = [199, 0, 57, 58, 198, 120, 57];
    for (const [from, to] of index.remove(removed)) ids[to] = ids[from]!;
    ids.length = index.size;
    const remaining = new Float32Array(194 * D);
    ids.forEach((orig, r) => remaining.set(rows.subarray(orig * D, (orig + 1) * D), r * D));
    await expectExactThreaded(index, remaining, randomRows(5, D, 32), 8);
    // an update: remove a row, add its new value
    const fresh = randomRows(1, D, 77);
    index.remove([10]);
    const after = Float32Array.from(index.vectors());
    index.add(fresh);
    const all = new Float32Array(after.length + D);
    all.set(after); all.set(fresh, after.length);
    await expectExactThreaded(index, all, Float32Array.from([...fresh, ...randomRows(3, D, 78)]), 5);
    index.remove(Array.from({ length: index.size }, (_, i) => i));
    expect(await index.searchAsync(randomRows(2, D, 1), 2)).toEqual([
      { rows: new Int32Array(0), distances: new Float64Array(0) },
      { rows: new Int32Array(0), distances: new Float64Array(0) },
    ]);
    index.add(rows.subarray(0, 10 * D));
    await expectExactThreaded(index, rows.subarray(0, 10 * D), randomRows(2, D, 33), 3);
    await index.close();
  });

  it('answers tiny galleries with more workers than rows, and k > N', async () => {
    const D = 5;
    const rows = randomRows(3, D, 11);
    const index = new ExactIndex(D, 'cosine', { threads: 8, minRowsPerThread: 1 });
    index.add(rows.subarray(0, D));
    await expectExactThreaded(index, rows.subarray(0, D), randomRows(3, D, 12), 4);
    index.add(rows.subarray(D));
    await expectExactThreaded(index, rows, randomRows(17, D, 13), 50);
    expect((await index.searchAsync(randomRows(1, D, 12), 50))[0]!.rows.length).toBe(3);
    await index.close();
  });

  it('gives the one-thread answers at scale (20k rows, D = 128, 40 queries in 3 groups)', async () => {
    const D = 128;
    const rows = randomRows(20_000, D, 41);
    const queries = randomRows(40, D, 42);
    const one = new ExactIndex(D, 'l2', { threads: 1 });
    const two = new ExactIndex(D, 'l2', { threads: 2 }); // 20k rows: 2 × 10k ≥ the default 8192 per thread
    one.add(rows);
    two.add(rows);
    const [a, b] = await Promise.all([two.searchAsync(queries, 10), two.searchAsync(queries.subarray(0, D), 10)]); // two calls at once
    expect(plain(a)).toEqual(plain(one.search(queries, 10)));
    expect(plain(b)).toEqual(plain(one.search(queries.subarray(0, D), 10)));
    await two.close();
  });

  it('searches small indexes on the calling thread (fewer than 2 × minRowsPerThread rows)', async () => {
    const D = 8;
    const rows = randomRows(300, D, 51);
    const index = new ExactIndex(D, 'l2', { threads: 2, minRowsPerThread: 200 });
    index.add(rows);
    const pending = index.searchAsync(randomRows(1, D, 52), 2);
    expect(() => index.remove([299])).not.toThrow(); // no threaded search is running
    expect(Array.from((await pending)[0]!.rows)).toEqual(brute(rows, D, randomRows(1, D, 52), 2, 'l2').map((x) => x.row));
    index.add(rows.subarray(299 * D)); // 300 rows again
    index.add(rows.subarray(0, 100 * D)); // 400 = 2 × 200: now on the workers
    const all = Float32Array.from([...rows, ...rows.subarray(0, 100 * D)]);
    const threaded = index.searchAsync(randomRows(1, D, 53), 2);
    expect(() => index.remove([0])).toThrow(/searchAsync is still running/);
    expect(Array.from((await threaded)[0]!.rows)).toEqual(brute(all, D, randomRows(1, D, 53), 2, 'l2').map((x) => x.row));
    await index.close();
  });

  it('keeps one copy of the rows: the same bytes per entry as on one thread', () => {
    expect(new ExactIndex(128, 'l2', { threads: 2 }).bytesPerEntry).toBe(672);
    expect(new ExactIndex(128, 'l2', { threads: 2, capacity: 10_000 }).byteLength)
      .toBeLessThan(new ExactIndex(128, 'l2', { threads: 1, capacity: 10_000 }).byteLength + 2 * 16 * 8192 * 8 + 65_536);
  });

  describe('bad input', () => {
    it('refuses threads < 1, fractional, non-numbers, and threads > 1 with the js kernel', () => {
      for (const threads of [0, -1, 1.5, NaN, Infinity, '2' as unknown as number, 1000]) {
        expect(() => new ExactIndex(4, 'l2', { threads })).toThrow(InvalidArgumentError);
        expect(() => new ExactIndex(4, 'l2', { threads })).toThrow(/options\.threads/);
      }
      expect(() => new ExactIndex(4, 'l2', { kernel: 'js', threads: 2 })).toThrow(/'js' kernel runs on one thread/);
      for (const minRowsPerThread of [0, 2.5, NaN]) expect(() => new ExactIndex(4, 'l2', { minRowsPerThread })).toThrow(/options\.minRowsPerThread/);
    });

    it('refuses removing rows while a threaded search runs, and rejects bad queries', async () => {
      const index = new ExactIndex(4, 'l2', { threads: 2, minRowsPerThread: 1 });
      index.add(randomRows(100, 4, 3));
      const pending = index.searchAsync(randomRows(2, 4, 4), 3);
      expect(() => index.remove([0])).toThrow(/searchAsync is still running/);
      expect(() => index.clear()).toThrow(InvalidArgumentError);
      index.add(randomRows(1, 4, 5)); // adding is fine
      await pending;
      expect(index.remove([0])).toEqual([[100, 0]]);
      await expect(index.searchAsync([[1, NaN, 3, 4]], 1)).rejects.toThrow(/queries\[0\]/);
      await expect(index.searchAsync([[1, 2, 3, 4]], 0)).rejects.toThrow(InvalidArgumentError);
      await index.close();
      await expect(index.searchAsync([[1, 2, 3, 4]], 1)).rejects.toThrow(/disposed/);
    });

    it('rejects a search that dispose interrupts', async () => {
      const index = new ExactIndex(16, 'l2', { threads: 2, minRowsPerThread: 1 });
      index.add(randomRows(50_000, 16, 6));
      const pending = index.searchAsync(randomRows(64, 16, 7), 10);
      index.dispose();
      await expect(pending).rejects.toThrow(InvalidArgumentError);
      await expect(pending).rejects.toThrow(/ExactIndex\.searchAsync: invalid `this`: the index was disposed while this search was running; await searches/);
    });

    /** The index's worker threads (started by its first threaded search; null before and after close). */
    type Internal = Pick<ExactIndexWorkers, 'run' | 'failure'> & { workers: { terminate(): Promise<number> }[] };
    const workersOf = (index: ExactIndex) => (index as unknown as { workers: Internal | null }).workers;

    /** A search on 2 threads whose answer is checked against brute force (so the index still works). */
    const searchWorks = (index: ExactIndex, rows: Float32Array) => expectExactThreaded(index, rows, randomRows(3, 16, 9), 5);

    it('a worker thread that throws fails the search with a WorkerThreadError naming the method and thread; the next search starts new threads', async () => {
      const rows = randomRows(2000, 16, 8);
      const index = new ExactIndex(16, 'l2', { threads: 2, minRowsPerThread: 1 });
      index.add(rows);
      await searchWorks(index, rows);
      const first = workersOf(index)!;
      // an injected failure: a task the worker's scan throws on (no query codes to copy)
      const bad = first.run(1, { r0: 0, r1: 10, g: 1, kk: 1 } as unknown as ExactIndexScanTask);
      const err = await bad.then(() => null, (e: unknown) => e);
      expect(WorkerThreadError.isInstance(err)).toBe(true);
      expect(err).toBeInstanceOf(WorkerThreadError);
      expect(LikenessError.isInstance(err)).toBe(true);
      const w = err as WorkerThreadError;
      expect([w.fn, w.thread, w.threads, w.code, w.name]).toEqual(['ExactIndex.searchAsync', 2, 2, 'LIKENESS_WORKER_THREAD', 'LikenessWorkerThreadError']);
      expect(w.message).toMatch(/^ExactIndex\.searchAsync: worker thread 2 of 2 failed: it threw TypeError: .*; the search was abandoned; the index and its rows are intact\. Call searchAsync again/);
      expect(String(w.cause)).toMatch(/TypeError/); // the worker's stack
      // the failed threads refuse work: the next search says so (same error) and drops them …
      await expect(index.searchAsync(randomRows(3, 16, 9), 5)).rejects.toBe(err);
      expect(workersOf(index)).toBeNull();
      // … and the one after runs on new threads, with the exact answers
      await searchWorks(index, rows);
      expect(workersOf(index)).not.toBe(first);
      expect(workersOf(index)!.failure).toBeNull();
      await index.close();
      await expect(index.searchAsync(randomRows(3, 16, 9), 5)).rejects.toThrow(/disposed/);
    });

    it('a worker thread that dies during a search rejects it with a WorkerThreadError; the index stays usable and closes', async () => {
      const rows = randomRows(50_000, 16, 10);
      const index = new ExactIndex(16, 'l2', { threads: 2, minRowsPerThread: 1 });
      index.add(rows);
      await searchWorks(index, rows);
      const pending = index.searchAsync(randomRows(64, 16, 11), 10);
      void workersOf(index)!.workers[0]!.terminate(); // the thread exits while it scans
      const err = await pending.then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(WorkerThreadError);
      expect((err as WorkerThreadError).thread).toBe(1);
      expect((err as Error).message).toMatch(/^ExactIndex\.searchAsync: worker thread 1 of 2 failed: it exited \(code \d+\); the search was abandoned/);
      expect(workersOf(index)).toBeNull();
      await searchWorks(index, rows);
      expect(index.size).toBe(50_000);
      await index.close();
      expect(workersOf(index)).toBeNull();
    });
  });

  it('never keeps a Node process alive: it exits with and without close()', () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), 'likeness-threads-'));
    const script = join(dir, 'run.mts');
    const source = (close: boolean) => `
      import { ExactIndex } from ${JSON.stringify(resolve(here, 'exact-index.ts'))};
      const index = new ExactIndex(8, 'l2', { threads: 2, minRowsPerThread: 1 });
      index.add(Float32Array.from({ length: 8 * 1000 }, (_, i) => Math.sin(i)));
      const [hit] = await index.searchAsync(new Float32Array(8).fill(0.1), 3);
      console.log('threads', index.threads, 'rows', Array.from(hit.rows).join(','));
      ${close ? 'await index.close();' : ''}
    `;
    for (const close of [true, false]) {
      writeFileSync(script, source(close));
      const out = execFileSync(process.execPath, ['--import', 'tsx', script], { cwd: here, timeout: 30_000, encoding: 'utf8' });
      expect(out).toMatch(/^threads 2 rows \d+,\d+,\d+$/m);
    }
  });
});
