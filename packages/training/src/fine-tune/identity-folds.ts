import { InvalidArgumentError } from '@likeness/backends';
import { SeededRandom } from '@likeness/embeddings';

/** What {@link assignIdentityFolds} returns. */
export interface IdentityFolds {
  /** The people of each fold (sorted ids); every person is in exactly one fold. */
  readonly people: readonly (readonly number[])[];
  /** The images of each fold (indices into the labels, ascending). */
  readonly rows: readonly Int32Array[];
  /** Fold of each image. */
  readonly foldOf: Int32Array;
}

/**
 * Splits labelled images into `folds` folds **by identity**: the people
 * (distinct labels) are shuffled with `seed` (deterministic) and dealt to
 * the folds in turn, so fold sizes differ by at most one person and no
 * person's images are in two folds. Cross-validation over people needs
 * this: a fold's validation people must be unseen by the model trained on
 * the other folds.
 *
 * @example
 * ```ts
 * const f = assignIdentityFolds(labels, 5, 0); // labels [300] of 30 people → 5 folds × 6 people
 * f.rows[0]; // Int32Array of the 60 images of fold 0's people
 * ```
 */
export function assignIdentityFolds(labels: ArrayLike<number>, folds: number, seed = 0, fn = 'assignIdentityFolds'): IdentityFolds {
  if (labels == null || typeof labels.length !== 'number') throw new InvalidArgumentError({ fn, argument: 'labels', message: 'expected an array of integer identity labels, one per image.' });
  if (!Number.isInteger(folds) || folds < 2) throw new InvalidArgumentError({ fn, argument: 'folds', message: `expected an integer ≥ 2 (e.g. 5), got ${String(folds)}.` });
  if (!Number.isInteger(seed)) throw new InvalidArgumentError({ fn, argument: 'seed', message: `expected an integer, got ${String(seed)}.` });
  for (let i = 0; i < labels.length; i++) {
    if (!Number.isInteger(labels[i])) throw new InvalidArgumentError({ fn, argument: 'labels', message: `labels must be integer identity ids; labels[${i}] is ${String(labels[i])}.` });
  }
  const ids = [...new Set(Array.from(labels))].sort((a, b) => a - b);
  if (ids.length < folds) {
    throw new InvalidArgumentError({ fn, argument: 'folds', message: `${folds} folds need at least ${folds} people, got ${ids.length}; use fewer folds.` });
  }
  const rnd = new SeededRandom(seed * 7919 + 17);
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(rnd.next() * (i + 1));
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  const foldOfPerson = new Map(ids.map((id, i) => [id, i % folds]));
  const people = Array.from({ length: folds }, (_, f) => ids.filter((_, i) => i % folds === f).sort((a, b) => a - b));
  const foldOf = Int32Array.from(Array.from(labels), (l) => foldOfPerson.get(l)!);
  const rows = people.map((_, f) => Int32Array.from(Array.from(foldOf.keys()).filter((i) => foldOf[i] === f)));
  return { people, rows, foldOf };
}
