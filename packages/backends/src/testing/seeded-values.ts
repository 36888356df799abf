/**
 * Deterministic pseudo-random numbers in [lo, hi) (mulberry32), the same on
 * every backend and platform — for feeding identical inputs to two backends.
 *
 * @example
 * ```ts
 * const x = tf.tensor4d(seededValues(1 * 8 * 8 * 3, 42), [1, 8, 8, 3]); // [1,8,8,3] in [-1,1)
 * ```
 */
export function seededValues(count: number, seed: number, lo = -1, hi = 1): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (((t ^ (t >>> 14)) >>> 0) / 4294967296) * (hi - lo);
  }
  return out;
}
