import { InvalidArgumentError } from '@likeness/backends';

/** @internal Labelled pair values turned into "higher = same" scores, validated. */
export interface PairScores {
  /** Scores, higher = more likely the same person. */
  readonly s: Float64Array;
  /** 1 = same person, 0 = different. */
  readonly y: Uint8Array;
  readonly positives: number;
  readonly negatives: number;
  /** Turns a score threshold back into the caller's units. */
  readonly toUser: (t: number) => number;
}

/** @internal */
export function toPairScores(
  values: ArrayLike<number>,
  same: ArrayLike<boolean | number>,
  kind: 'distance' | 'similarity' | undefined,
  fn: string,
  opts: { needBoth?: boolean } = {},
): PairScores {
  if (values == null || typeof values.length !== 'number') {
    throw new InvalidArgumentError({ fn, argument: 'values', message: 'expected an array of numbers (one distance or score per pair).' });
  }
  if (same == null || typeof same.length !== 'number' || same.length !== values.length) {
    throw new InvalidArgumentError({
      fn, argument: 'same',
      message: `expected one label per pair (${values.length}), got ${same == null ? String(same) : same.length}. Pass true/1 for same-person pairs, false/0 otherwise.`,
    });
  }
  const k = kind ?? 'distance';
  if (k !== 'distance' && k !== 'similarity') {
    throw new InvalidArgumentError({ fn, argument: 'options.kind', message: `expected 'distance' (lower = same) or 'similarity' (higher = same), got ${JSON.stringify(kind)}.` });
  }
  const n = values.length;
  const s = new Float64Array(n);
  const y = new Uint8Array(n);
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (typeof v !== 'number' || Number.isNaN(v)) {
      throw new InvalidArgumentError({ fn, argument: `values[${i}]`, message: `is ${String(v)}; every pair needs a number. Check the embeddings for NaN (a bad image or a diverged encoder).` });
    }
    const l = same[i];
    if (l === true || l === 1) y[i] = 1;
    else if (l === false || l === 0) y[i] = 0;
    else throw new InvalidArgumentError({ fn, argument: `same[${i}]`, message: `is ${String(l)}; use true/1 (same person) or false/0 (different).` });
    positives += y[i]!;
    s[i] = k === 'distance' ? -v : v;
  }
  const negatives = n - positives;
  if ((opts.needBoth ?? true) && (positives === 0 || negatives === 0)) {
    throw new InvalidArgumentError({
      fn, argument: 'same',
      message: `needs both same-person and different-person pairs; got ${positives} same and ${negatives} different. Add pairs of the missing kind.`,
    });
  }
  return { s, y, positives, negatives, toUser: k === 'distance' ? (t) => -t : (t) => t };
}
