import { toPairScores } from '../internal/pair-scores';
import type { PairValueOptions } from './roc-curve';

/**
 * Area under the ROC curve = P(a same-person pair is closer than a
 * different-person pair), ties counting half (Mann–Whitney U / (P·N)).
 * O(n log n) by sorting and average ranks.
 *
 * @example
 * ```ts
 * const auc = rocAuc(d, same); // d [P] distances, same [P] → number in [0, 1]
 * ```
 */
export function rocAuc(values: ArrayLike<number>, same: ArrayLike<boolean | number>, options: PairValueOptions = {}): number {
  const { s, y, positives, negatives } = toPairScores(values, same, options.kind, 'rocAuc');
  const order = Array.from(s.keys()).sort((i, j) => s[i]! - s[j]!);
  let rankSumPos = 0;
  for (let k = 0; k < order.length; ) {
    let e = k;
    while (e < order.length && s[order[e]!]! === s[order[k]!]!) e++;
    const avgRank = (k + 1 + e) / 2; // ranks k+1 … e
    for (let m = k; m < e; m++) if (y[order[m]!]) rankSumPos += avgRank;
    k = e;
  }
  const u = rankSumPos - (positives * (positives + 1)) / 2;
  return u / (positives * negatives);
}
