import { InvalidArgumentError } from '@likeness/backends';
import '@likeness/backends/cpu';
import { expectNoLeaks, seededValues } from '@likeness/backends/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { describeOnOneDnn } from '../test/availability';
import { BufferPool } from './buffer-pool';
import { bufferPoolStats, DEFAULT_POOL_MB, loadOneDnn, setBufferPoolLimit } from './index';

describe('BufferPool', () => {
  const N = BufferPool.MIN_BYTES / 4; // the smallest pooled Float32Array

  it('hands a released buffer to the next request of the same byte length, and only then', () => {
    const pool = new BufferPool(1 << 30);
    const a = pool.floats(N);
    pool.attach(a);
    pool.release(a);
    expect(pool.stats().spareBytes).toBe(N * 4);
    expect(pool.floats(N + 1).buffer).not.toBe(a.buffer); // another size: a new buffer
    const b = pool.floats(N);
    expect(b.buffer).toBe(a.buffer);
    expect(pool.stats()).toMatchObject({ hits: 1, misses: 2, spareBytes: 0 });
  });

  it('serves a smaller request from the smallest spare of up to twice its size, as a view that alone may attach it', () => {
    const pool = new BufferPool(1 << 30);
    const [big, bigger] = [pool.floats(2 * N), pool.floats(3 * N)];
    [big, bigger].forEach((a) => (pool.attach(a), pool.release(a)));
    const part = pool.floats(N + 1);
    expect(part.buffer).toBe(big.buffer); // 2N fits N + 1 within 2×; 3N is larger than needed
    expect(part.length).toBe(N + 1);
    expect(pool.floats(N).buffer).not.toBe(bigger.buffer); // 3N > 2 × N: a new buffer
    pool.attach(part);
    pool.release(part);
    const again = pool.floats(N + 1);
    expect(again.buffer).toBe(big.buffer);
    pool.attach(new Float32Array(again.buffer)); // another array over it than the one handed out: pinned
    pool.release(again);
    expect(pool.floats(N + 1).buffer).not.toBe(big.buffer);
  });

  it('never recycles a buffer that backs two tensors, is viewed, or was not allocated here', () => {
    const pool = new BufferPool(1 << 30);
    const shared = pool.floats(N);
    pool.attach(shared);
    pool.attach(shared); // a second tensor on the same array
    pool.release(shared);
    const viewed = pool.floats(N);
    pool.attach(viewed);
    pool.attach(viewed.subarray(8)); // a contiguous slice returned as a view
    pool.release(viewed);
    const user = new Float32Array(N);
    pool.attach(user);
    pool.release(user);
    expect(pool.owns(user)).toBe(false);
    expect(pool.stats().spareBytes).toBe(0);
    expect(pool.floats(N).buffer).not.toBe(shared.buffer);
  });

  it('does not pool small buffers, and keeps at most its limit (oldest dropped first)', () => {
    const pool = new BufferPool(3 * N * 4);
    const small = pool.floats(16);
    pool.attach(small);
    pool.release(small);
    expect(pool.owns(small)).toBe(false);
    const arrays = [pool.floats(N), pool.floats(2 * N), pool.floats(N)];
    arrays.forEach((a) => pool.attach(a));
    arrays.forEach((a) => pool.release(a));
    // N + 2N fit; the last N evicts the oldest (N) → 2N + N.
    expect(pool.stats().spareBytes).toBe(3 * N * 4);
    expect(pool.floats(2 * N).buffer).toBe(arrays[1]!.buffer);
    expect(pool.floats(N).buffer).toBe(arrays[2]!.buffer);
    pool.setLimit(0);
    const c = pool.floats(N);
    pool.attach(c);
    pool.release(c);
    expect(pool.stats().spareBytes).toBe(0);
  });
});

describeOnOneDnn('the buffer pool on the oneDNN backend', () => {
  const n = 8192; // above the pool's minimum and the native kernels' threshold
  afterEach(() => setBufferPoolLimit(DEFAULT_POOL_MB * 2 ** 20));

  it('reuses the storage of disposed outputs, with correct results every time', () => {
    const v = seededValues(n, 1);
    const x = tf.tensor1d(v);
    const before = bufferPoolStats().hits;
    for (let i = 0; i < 4; i++) {
      const y = tf.exp(x); // oneDNN eltwise into pooled storage
      const got = y.dataSync();
      for (let k = 0; k < n; k += 97) expect(got[k]).toBeCloseTo(Math.exp(v[k]!), 4);
      y.dispose();
    }
    expect(bufferPoolStats().hits - before).toBeGreaterThanOrEqual(3);
    x.dispose();
  });

  it('never overwrites what dataSync() returned, nor a user array passed to tf.tensor', () => {
    const v = seededValues(n, 2);
    const user = Float32Array.from(v);
    const x = tf.tensor1d(user);
    const y = tf.relu(x);
    const read = y.dataSync();
    const expected = Float32Array.from(read);
    tf.dispose([x, y]);
    const others = [tf.fill([n], 7), tf.exp(tf.fill([n], 1))];
    const z = tf.exp(tf.tensor1d(seededValues(n, 3))); // likely gets y's storage back
    expect(read).toEqual(expected);
    expect(user).toEqual(Float32Array.from(v));
    tf.dispose([z, ...others]);
  });

  it('keeps a contiguous slice (a view of its input) intact after the input is disposed', () => {
    const v = seededValues(2 * n, 4);
    const x = tf.tensor2d(v, [2, n]);
    const y = tf.exp(x); // pooled
    const row = tf.slice(y, [1, 0], [1, n]); // contiguous: the cpu kernel returns a view of y's storage
    y.dispose();
    const again = [tf.relu(x), tf.relu(x)]; // same size as y, other values: would overwrite y's buffer if it were recycled
    const got = row.dataSync();
    for (let k = 0; k < n; k += 101) expect(got[k]).toBeCloseTo(Math.exp(v[n + k]!), 4);
    tf.dispose([x, row, ...again]);
  });

  it('is off with a limit of 0, and rejects a bad limit with a typed error', () => {
    setBufferPoolLimit(0);
    expect(bufferPoolStats().spareBytes).toBe(0);
    const x = tf.tensor1d(seededValues(n, 5));
    const hits = bufferPoolStats().hits;
    tf.exp(x).dispose();
    tf.exp(x).dispose();
    expect(bufferPoolStats().hits).toBe(hits);
    x.dispose();
    expect(() => setBufferPoolLimit(-1)).toThrow(InvalidArgumentError);
    expect(() => setBufferPoolLimit(Number.NaN)).toThrow(/setBufferPoolLimit|bytes/);
  });

  it('keeps freed memory in the process on glibc (the backend turns it on when it starts)', () => {
    const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
    expect(loadOneDnn().keepFreedMemory()).toBe(header?.glibcVersionRuntime !== undefined);
  });

  it('leaks no tensors', async () => {
    const x = tf.tensor1d(seededValues(n, 6));
    await expectNoLeaks(() => {
      tf.dispose([tf.exp(x), tf.relu(x)]);
    });
    x.dispose();
  });
});
