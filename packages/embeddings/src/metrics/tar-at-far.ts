import { InvalidArgumentError } from '@likeness/backends';
import { toPairScores } from '../internal/pair-scores';
import { rocFromScores, type PairValueOptions } from './roc-curve';

/** Result of {@link tarAtFar}. */
export interface TarAtFar {
  /** The highest true accept rate reachable with FAR ≤ the target. */
  readonly tar: number;
  /** The false accept rate actually reached (≤ the target). */
  readonly far: number;
  /** The threshold that reaches it, in the caller's units. */
  readonly threshold: number;
}

/**
 * True accept rate at a false accept rate: the best TAR of any threshold
 * whose FAR does not exceed `targetFar` (no interpolation). With N
 * different-person pairs, FAR below 1/N can only be reached by accepting
 * no different pair at all.
 *
 * @example
 * ```ts
 * const { tar, threshold } = tarAtFar(d, same, 1e-3); // d [P] distances, same [P]
 * ```
 */
export function tarAtFar(values: ArrayLike<number>, same: ArrayLike<boolean | number>, targetFar: number, options: PairValueOptions = {}): TarAtFar {
  if (typeof targetFar !== 'number' || !(targetFar >= 0 && targetFar <= 1)) {
    throw new InvalidArgumentError({ fn: 'tarAtFar', argument: 'targetFar', message: `expected a rate in [0, 1] such as 1e-3, got ${String(targetFar)}.` });
  }
  const ps = toPairScores(values, same, options.kind, 'tarAtFar');
  const roc = rocFromScores(ps.s, ps.y, ps.positives, ps.negatives, ps.toUser);
  let best = 0;
  for (let i = 0; i < roc.far.length; i++) {
    if (roc.far[i]! <= targetFar + 1e-12 && roc.tar[i]! >= roc.tar[best]!) best = i;
  }
  return { tar: roc.tar[best]!, far: roc.far[best]!, threshold: roc.thresholds[best]! };
}
