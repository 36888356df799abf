import { describeValue, InvalidArgumentError } from '@likeness/backends';

/** The kind of an objective made by tripletObjective or siameseObjective, or a typed error. */
export function objectiveKind(fn: string, objective: unknown): 'triplet' | 'siamese' {
  const kind = objective != null && typeof objective === 'object' ? (objective as { kind?: unknown }).kind : undefined;
  if (kind === 'triplet' || kind === 'siamese') return kind;
  throw new InvalidArgumentError({ fn, argument: 'options.objective', message: `expected tripletObjective({…}) of @likeness/triplet or siameseObjective(head) of @likeness/siamese-binary, got ${describeValue(objective)}.` });
}
