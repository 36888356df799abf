import { assertNumber, InvalidArgumentError } from '@likeness/backends';
import { EmptyBatchError } from './errors/empty-batch-error';
import { SeededRandom, checkIdentityLabels } from '@likeness/embeddings';

/** A batch of pairs: pair i is (left[i], right[i]), `same[i]` = 1 for one person. */
export interface PairBatch {
  /** Index of each pair's first image. */
  readonly left: Int32Array;
  /** Index of each pair's second image. */
  readonly right: Int32Array;
  /** 1 when the pair's images show one person, else 0. */
  readonly same: Float32Array;
}

/** Options of {@link createBalancedPairSampler}. */
export interface BalancedPairSamplerOptions {
  /** Pairs per batch. @defaultValue `64` */
  batchSize?: number;
  /** Fraction of same-person pairs. @defaultValue `0.5` */
  positiveFraction?: number;
  /** @defaultValue `0` */
  seed?: number;
}

/**
 * Draws batches with a fixed share of same-person pairs (balanced by
 * default: in ORL, 91 % of all pairs are different-person, so uniform
 * sampling teaches "always different"). Same pairs: a random identity with
 * ≥ 2 images, two distinct images of it; different pairs: two images of two
 * different random identities.
 *
 * @example
 * ```ts
 * const s = createBalancedPairSampler(labels, { batchSize: 64, seed: 1 }); // labels [N]
 * const { left, right, same } = s.next(); // Int32Array [64] ×2, Float32Array [64]
 * ```
 */
export function createBalancedPairSampler(labels: ArrayLike<number>, options: BalancedPairSamplerOptions = {}): {
  /** Draws the next batch of pairs. */
  next(): PairBatch;
  /** Pairs per batch. */
  readonly batchSize: number;
} {
  const fn = 'createBalancedPairSampler';
  const lab = checkIdentityLabels(labels, (labels as ArrayLike<number>)?.length ?? -1, fn);
  const batchSize = options.batchSize ?? 64;
  assertNumber(batchSize, fn, 'options.batchSize', { integer: true, min: 1 });
  const frac = options.positiveFraction ?? 0.5;
  assertNumber(frac, fn, 'options.positiveFraction', { min: 0, max: 1 });
  const rng = new SeededRandom(options.seed ?? 0);
  const byId = new Map<number, number[]>();
  lab.forEach((l, i) => (byId.get(l) ?? byId.set(l, []).get(l)!).push(i));
  const ids = [...byId.keys()].sort((a, b) => a - b);
  const multi = ids.filter((id) => byId.get(id)!.length >= 2);
  if (lab.length === 0) throw new EmptyBatchError({ fn, argument: 'labels' });
  if (frac > 0 && multi.length === 0) {
    throw new InvalidArgumentError({ fn, argument: 'labels', message: 'no identity has two images, so no same-person pair exists; add images or set positiveFraction: 0.' });
  }
  if (frac < 1 && ids.length < 2) {
    throw new InvalidArgumentError({ fn, argument: 'labels', message: 'only one identity, so no different-person pair exists; add people or set positiveFraction: 1.' });
  }
  const nPos = Math.round(batchSize * frac);
  return {
    batchSize,
    next(): PairBatch {
      const left = new Int32Array(batchSize);
      const right = new Int32Array(batchSize);
      const same = new Float32Array(batchSize);
      for (let i = 0; i < batchSize; i++) {
        if (i < nPos) {
          const pool = byId.get(multi[rng.int(multi.length)]!)!;
          const x = rng.int(pool.length);
          let y = rng.int(pool.length - 1);
          if (y >= x) y++;
          left[i] = pool[x]!;
          right[i] = pool[y]!;
          same[i] = 1;
        } else {
          const p = rng.int(ids.length);
          let q = rng.int(ids.length - 1);
          if (q >= p) q++;
          const pa = byId.get(ids[p]!)!;
          const pb = byId.get(ids[q]!)!;
          left[i] = pa[rng.int(pa.length)]!;
          right[i] = pb[rng.int(pb.length)]!;
        }
      }
      return { left, right, same };
    },
  };
}

/**
 * Every unordered pair i < j of a labelled set (N(N−1)/2 pairs), e.g. for
 * calibration or evaluation.
 *
 * @example
 * ```ts
 * const all = allPairs([0, 0, 1]); // left [0,0,1], right [1,2,2], same [1,0,0]
 * ```
 */
export function allPairs(labels: ArrayLike<number>): PairBatch {
  const lab = checkIdentityLabels(labels, (labels as ArrayLike<number>)?.length ?? -1, 'allPairs');
  const n = lab.length;
  const m = (n * (n - 1)) / 2;
  const left = new Int32Array(m);
  const right = new Int32Array(m);
  const same = new Float32Array(m);
  let k = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
    left[k] = i;
    right[k] = j;
    same[k++] = lab[i] === lab[j] ? 1 : 0;
  }
  return { left, right, same };
}
