import { assertNumber, InvalidArgumentError } from '@likeness/backends';
import { DegenerateBatchError } from './errors/degenerate-batch-error';
import { SeededRandom, checkIdentityLabels } from '@likeness/embeddings';

/** Options of {@link createPKSampler}. */
export interface PKSamplerOptions {
  /** P, identities per batch. @defaultValue `10` */
  p?: number;
  /** K, images per identity. @defaultValue `5` */
  k?: number;
  /** @defaultValue `0` */
  seed?: number;
}

/** Resumable state of a {@link PKSampler} (plain JSON). */
export interface PKSamplerState {
  /** State of the seeded random generator. */
  rng: number;
  /** Identities not yet drawn in the current round, in the order they will be. */
  queue: number[];
}

/**
 * Draws batches of P identities × K images each (indices into the dataset),
 * identity-major: rows [i·K, (i+1)·K) share one identity. Identities are
 * visited in reshuffled rounds so every identity appears once per round;
 * images are drawn without replacement when an identity has ≥ K of them, with
 * replacement otherwise.
 */
export interface PKSampler {
  /** Identities per batch. */
  readonly p: number;
  /** Images per identity in a batch. */
  readonly k: number;
  /** The next batch of P·K dataset indices. */
  next(): Int32Array;
  /** Labels of a batch of indices. */
  labelsOf(indices: ArrayLike<number>): Int32Array;
  /** The RNG state and the queue of identities not yet drawn this pass, for a checkpoint. */
  getState(): PKSamplerState;
  /** Resumes from a {@link PKSampler.getState} snapshot: the next batches are those that would have followed. */
  setState(state: PKSamplerState): void;
}

/**
 * Creates a P×K batch sampler over integer identity labels. Only identities
 * with at least 2 images are used (a single image has no positive).
 *
 * @example
 * ```ts
 * const s = createPKSampler(labels, { p: 10, k: 5, seed: 1 }); // labels [400]
 * const idx = s.next(); // Int32Array [50]: 10 identities × 5 images
 * const batch = tf.gather(images, idx); // images [400,56,46,1] → [50,56,46,1]
 * ```
 */
export function createPKSampler(labels: ArrayLike<number>, options: PKSamplerOptions = {}): PKSampler {
  const fn = 'createPKSampler';
  const lab = checkIdentityLabels(labels, (labels as ArrayLike<number>)?.length ?? -1, fn);
  const p = options.p ?? 10;
  const k = options.k ?? 5;
  assertNumber(p, fn, 'options.p', { integer: true, min: 2 });
  assertNumber(k, fn, 'options.k', { integer: true, min: 2 });
  const seed = options.seed ?? 0;
  assertNumber(seed, fn, 'options.seed', { integer: true });
  const byId = new Map<number, number[]>();
  lab.forEach((l, i) => {
    const list = byId.get(l);
    if (list) list.push(i);
    else byId.set(l, [i]);
  });
  const ids = [...byId.keys()].filter((id) => byId.get(id)!.length >= 2).sort((a, b) => a - b);
  if (ids.length < 2) {
    throw new DegenerateBatchError({
      reason: 'no-positives',
      message: `${fn}: only ${ids.length} identit${ids.length === 1 ? 'y has' : 'ies have'} two or more images; triplets need at least 2 such identities. Add images per person.`,
    });
  }
  if (p > ids.length) {
    throw new InvalidArgumentError({ fn, argument: 'options.p', message: `P = ${p} identities per batch, but only ${ids.length} identities have ≥ 2 images; lower P.` });
  }
  const rng = new SeededRandom(seed);
  let queue: number[] = [];
  return {
    p,
    k,
    next(): Int32Array {
      const chosen: number[] = [];
      while (chosen.length < p) {
        if (queue.length === 0) queue = rng.shuffle([...ids]);
        const id = queue.shift()!;
        if (!chosen.includes(id)) chosen.push(id);
        else queue.push(id); // rare: a new round started mid-batch
      }
      const out = new Int32Array(p * k);
      chosen.forEach((id, c) => {
        const pool = byId.get(id)!;
        if (pool.length >= k) {
          const pick = rng.shuffle([...pool]).slice(0, k);
          pick.forEach((v, j) => (out[c * k + j] = v));
        } else {
          for (let j = 0; j < k; j++) out[c * k + j] = pool[j < pool.length ? j : rng.int(pool.length)]!;
        }
      });
      return out;
    },
    labelsOf(indices: ArrayLike<number>): Int32Array {
      return Int32Array.from(Array.from(indices, (i) => lab[i]!));
    },
    getState: () => ({ rng: rng.state, queue: [...queue] }),
    setState(state: PKSamplerState): void {
      rng.state = state.rng >>> 0;
      queue = [...state.queue];
    },
  };
}
