import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ShapeError } from '@likeness/backends';
import type { DistanceMetric } from '../distance/distance-metric';
import { ExactIndex, exactIndexHasWasmSimd, type ExactIndexKernel } from './exact-index';
import { brute, lcg, randomRows } from './exact-index.fixture';


function expectExact(index: ExactIndex, rows: Float32Array, queries: Float32Array, k: number): void {
  const d = index.dimension;
  const got = index.search(queries, k);
  expect(got.length).toBe(queries.length / d);
  got.forEach((res, q) => {
    const ref = brute(rows, d, queries.subarray(q * d, (q + 1) * d), k, index.metric);
    expect(Array.from(res.rows)).toEqual(ref.map((x) => x.row));
    expect(Array.from(res.distances)).toEqual(ref.map((x) => x.dist)); // bit for bit
  });
}

const kernels: ExactIndexKernel[] = ['js', 'wasm-simd'];
const metrics: DistanceMetric[] = ['l2', 'squared-l2', 'cosine'];

describe('ExactIndex', () => {
  it('has the WebAssembly SIMD kernel in Node 20, and auto picks it', () => {
    expect(exactIndexHasWasmSimd()).toBe(true);
    expect(new ExactIndex(8).kernel).toBe('wasm-simd');
    expect(new ExactIndex(8, 'l2', { kernel: 'js' }).kernel).toBe('js');
  });

  it('embeds the bytes compiled from exact-index-kernel.wat (not stale)', () => {
    const script = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'build-exact-index-kernel.mjs');
    expect(() => execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' })).not.toThrow();
  });

  for (const kernel of kernels) {
    for (const metric of metrics) {
      describe(`${kernel}, ${metric}`, () => {
        it('equals brute force in float64 on random data: D not a multiple of 16, Q > 16, many blocks', () => {
          const D = 37;
          const rows = randomRows(700, D, 1);
          const index = new ExactIndex(D, metric, { kernel, capacity: 3, blockSize: 64 });
          index.add(rows.subarray(0, 300 * D));
          index.add(rows.subarray(300 * D)); // grows
          expect(index.size).toBe(700);
          expectExact(index, rows, randomRows(21, D, 2), 7);
          expectExact(index, rows, randomRows(1, D, 3), 1);
        });

        it('breaks exact ties by row and keeps near-duplicates apart', () => {
          const D = 16;
          const r = lcg(5);
          const base = Array.from({ length: 40 }, () => Array.from({ length: D }, () => Math.round(r() * 8)));
          const list: number[][] = [];
          for (const b of base) {
            list.push(b, [...b], b.map((v, i) => (i === 3 ? v + 1e-6 : v)), b.map((v, i) => (i === 5 ? v * (1 + 2 ** -20) : v))); // duplicate, near-duplicates
            list.push([...b].reverse()); // same norm: ties with a zero query
          }
          const rows = Float32Array.from(list.flat());
          const index = new ExactIndex(D, metric, { kernel, blockSize: 33 });
          index.add(list);
          const queries = Float32Array.from([...base[7]!, ...new Array<number>(D).fill(0), ...base[0]!.map((v) => v + 1e-6)]);
          expectExact(index, rows, queries, 12);
          const [first] = index.search([base[7]!], 3);
          expect(Array.from(first!.rows).slice(0, 2)).toEqual([35, 36]); // the row and its duplicate, lower row first
        });

        it('returns every row, sorted, when k > N, and nothing from an empty index', () => {
          const D = 5;
          const rows = randomRows(9, D, 11);
          const index = new ExactIndex(D, metric, { kernel });
          expect(index.search(randomRows(2, D, 1), 3)).toEqual([
            { rows: new Int32Array(0), distances: new Float64Array(0) },
            { rows: new Int32Array(0), distances: new Float64Array(0) },
          ]);
          index.add(rows);
          expectExact(index, rows, randomRows(3, D, 12), 50);
          expect(index.search(randomRows(1, D, 12), 50)[0]!.rows.length).toBe(9);
        });

        it('stays exact where quantisation error decides: one huge coordinate, differences below the int8 step', () => {
          const D = 24;
          const r = lcg(21);
          const list: number[][] = [];
          for (let i = 0; i < 300; i++) {
            // |x₀| = 100 makes the int8 step 0.79; the rest differ by ≤ 0.01, so all rows share most int8 codes
            list.push(Array.from({ length: D }, (_, c) => (c === 0 ? 100 : 0.3 + r() * 0.02)));
          }
          for (let i = 0; i < 50; i++) list.push(Array.from({ length: D }, () => r() * 100)); // ordinary rows
          const rows = Float32Array.from(list.flat());
          const index = new ExactIndex(D, metric, { kernel, blockSize: 50 });
          index.add(rows);
          const queries = Float32Array.from([
            ...Array.from({ length: D }, (_, c) => (c === 0 ? 100 : 0.3)),
            ...Array.from({ length: D }, (_, c) => (c === 0 ? -90 : 0.31 + r() * 0.001)),
            ...Array.from({ length: D }, (_, c) => (c === 1 ? 1e-3 : 0)),
          ]);
          expectExact(index, rows, queries, 10);
        });

        it('handles zero rows and a zero query (cosine distance 1)', () => {
          const D = 4;
          const rows = Float32Array.from([0, 0, 0, 0, 1, 2, 3, 4, -1, 0, 0, 0, 0, 0, 0, 0]);
          const index = new ExactIndex(D, metric, { kernel });
          index.add(rows);
          expectExact(index, rows, Float32Array.from([0, 0, 0, 0, 1, 2, 3, 4.5]), 4);
          if (metric === 'cosine') expect(Array.from(index.search([[0, 0, 0, 0]], 4)[0]!.distances)).toEqual([1, 1, 1, 1]);
        });

        it('removes rows by swapping the last one in, and stays exact', () => {
          const D = 20;
          const rows = randomRows(200, D, 31);
          const index = new ExactIndex(D, metric, { kernel, blockSize: 16 });
          index.add(rows);
          const ids = Array.from({ length: 200 }, (_, i) => i); // original row of each current row
          const removed = [199, 0, 57, 58, 198, 120, 57];
          const moves = index.remove(removed);
          for (const [from, to] of moves) ids[to] = ids[from]!;
          ids.length = index.size;
          expect(index.size).toBe(194);
          expect(new Set(ids)).toEqual(new Set(Array.from({ length: 200 }, (_, i) => i).filter((i) => !removed.includes(i))));
          const remaining = new Float32Array(194 * D);
          ids.forEach((orig, r) => remaining.set(rows.subarray(orig * D, (orig + 1) * D), r * D));
          expect(index.vectors()).toEqual(remaining);
          expectExact(index, remaining, randomRows(5, D, 32), 8);
          index.remove(Array.from({ length: 194 }, (_, i) => i));
          expect(index.size).toBe(0);
          expect(index.search(randomRows(1, D, 1), 2)[0]!.rows.length).toBe(0);
          index.add(rows.subarray(0, 10 * D));
          expectExact(index, rows.subarray(0, 10 * D), randomRows(2, D, 33), 3);
        });
      });
    }
  }

  it('gives the same answers with both kernels at scale (20k rows, D = 128, 16 queries)', () => {
    const D = 128;
    const rows = randomRows(20_000, D, 41);
    const queries = randomRows(16, D, 42);
    const a = new ExactIndex(D, 'l2', { kernel: 'js' });
    const b = new ExactIndex(D, 'l2', { kernel: 'wasm-simd' });
    a.add(rows);
    b.add(rows);
    expect(b.search(queries, 10)).toEqual(a.search(queries, 10));
    expectExact(b, rows, queries.subarray(0, 2 * D), 10);
  });

  it('states its memory: 4·D + padded D + 32 bytes per row', () => {
    expect(new ExactIndex(128).bytesPerEntry).toBe(672);
    expect(new ExactIndex(37).bytesPerEntry).toBe(4 * 37 + 48 + 32);
  });

  describe('bad input', () => {
    it('refuses a bad dimension, metric, kernel, capacity or block size', () => {
      for (const d of [0, -1, 1.5, NaN, 70_000]) expect(() => new ExactIndex(d)).toThrow(InvalidArgumentError);
      expect(() => new ExactIndex(4, 'manhattan' as DistanceMetric)).toThrow(/metric/);
      expect(() => new ExactIndex(4, 'l2', { kernel: 'gpu' as ExactIndexKernel })).toThrow(/options.kernel/);
      expect(() => new ExactIndex(4, 'l2', { capacity: -1 })).toThrow(/options.capacity/);
      expect(() => new ExactIndex(4, 'l2', { blockSize: 0 })).toThrow(/options.blockSize/);
    });

    it('refuses NaN, ∞ and wrong lengths with typed errors and changes nothing', () => {
      const index = new ExactIndex(3);
      index.add([[1, 2, 3]]);
      expect(() => index.add([[1, 2, 3], [4, NaN, 6]])).toThrow(InvalidArgumentError);
      expect(() => index.add([[1, 2, 3], [4, NaN, 6]])).toThrow(/rows\[1\]/);
      expect(() => index.add(Float32Array.from([1, 2, Infinity]))).toThrow(InvalidArgumentError);
      expect(() => index.add(new Float32Array(4))).toThrow(ShapeError);
      expect(() => index.add([[1, 2]])).toThrow(ShapeError);
      expect(() => index.add('abc' as unknown as Float32Array)).toThrow(InvalidArgumentError);
      expect(index.size).toBe(1);
      expect(() => index.search([[1, NaN, 3]], 1)).toThrow(/queries\[0\]/);
      expect(() => index.search(new Float32Array(2), 1)).toThrow(ShapeError);
    });

    it('refuses k ≤ 0, a fractional k, bad rows to remove, and use after dispose', () => {
      const index = new ExactIndex(2);
      index.add([[1, 2], [3, 4]]);
      for (const k of [0, -3, 1.5, NaN, '2' as unknown as number]) expect(() => index.search([[0, 0]], k)).toThrow(/\bk\b.*positive integer/);
      expect(() => index.search([[0, 0]], 0)).toThrow(InvalidArgumentError);
      expect(() => index.remove([2])).toThrow(InvalidArgumentError);
      expect(() => index.remove([0.5])).toThrow(InvalidArgumentError);
      expect(index.size).toBe(2);
      expect(() => index.row(2)).toThrow(InvalidArgumentError);
      index.dispose();
      expect(() => index.search([[0, 0]], 1)).toThrow(/disposed/);
      expect(() => index.add([[0, 0]])).toThrow(/disposed/);
    });
  });
});
