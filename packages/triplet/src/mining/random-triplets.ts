import { assertNumber } from '@likeness/backends';
import { TripletBuilder, type Triplets } from '../triplets';
import { SeededRandom, checkIdentityLabels } from '@likeness/embeddings';

/** Options of {@link randomTriplets}. */
export interface RandomTripletsOptions {
  /** Triplets per anchor. @defaultValue `1` */
  perAnchor?: number;
  /** Seed (ignored when `rng` is given). @defaultValue `0` */
  seed?: number;
  /** The trainer's generator (not part of the public API). */
  rng?: SeededRandom;
}

/**
 * Random triplets: for each anchor that has a positive and a negative, a
 * uniformly random positive (≠ anchor) and negative. The baseline: most
 * such triplets already satisfy d(A,P) + α < d(A,N) and teach nothing.
 *
 * @example
 * ```ts
 * const t = randomTriplets([0, 0, 1, 1], { seed: 1 }); // → 4 triplets, one per anchor
 * ```
 */
export function randomTriplets(labels: ArrayLike<number>, options: RandomTripletsOptions = {}): Triplets {
  const fn = 'randomTriplets';
  const lab = checkIdentityLabels(labels, (labels as ArrayLike<number>)?.length ?? -1, fn);
  const perAnchor = options.perAnchor ?? 1;
  assertNumber(perAnchor, fn, 'options.perAnchor', { integer: true, min: 1 });
  const rng = options.rng ?? new SeededRandom(options.seed ?? 0);
  const n = lab.length;
  const out = new TripletBuilder();
  for (let a = 0; a < n; a++) {
    const pos: number[] = [];
    const neg: number[] = [];
    for (let j = 0; j < n; j++) {
      if (j === a) continue;
      (lab[j] === lab[a] ? pos : neg).push(j);
    }
    if (pos.length === 0 || neg.length === 0) continue;
    for (let r = 0; r < perAnchor; r++) out.push(a, pos[rng.int(pos.length)]!, neg[rng.int(neg.length)]!);
  }
  return out.build();
}
