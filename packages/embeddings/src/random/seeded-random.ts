/**
 * A small seeded random generator (mulberry32) whose whole state is one
 * 32-bit integer, so a sampler or trainer can checkpoint `state` and resume
 * the exact same sequence. Every likeness sampler, miner and trainer draws
 * from it, so the same seed gives the same batches in every package.
 *
 * @example
 * ```ts
 * const rng = new SeededRandom(7);
 * const order = rng.shuffle([0, 1, 2, 3]);
 * const saved = rng.state;              // later: rng.state = saved
 * ```
 */
export class SeededRandom {
  /** The generator's whole state; assign a saved value to resume. */
  state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Fisher–Yates shuffle in place; returns `a`. */
  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
    return a;
  }
}
