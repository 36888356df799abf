/** One ORL split: held-out (test) people and the other 30 (training). */
export interface OrlSplit {
  readonly id: number;
  readonly test: readonly string[];
  readonly train: readonly string[];
}

const HELD_OUT: readonly (readonly string[])[] = [
  ['s31', 's32', 's33', 's34', 's35', 's36', 's37', 's38', 's39', 's40'],
  ['s1', 's2', 's6', 's9', 's10', 's12', 's13', 's16', 's17', 's38'],
  ['s8', 's9', 's12', 's16', 's19', 's22', 's23', 's32', 's36', 's40'],
];

/**
 * The three splits of EVAL-FACES.md (by identity, never by image).
 *
 * @example
 * ```ts
 * ORL_SPLITS[0].test; // ['s31', …, 's40'] (10 people); .train has the other 30
 * ```
 */
export const ORL_SPLITS: readonly OrlSplit[] = Object.freeze(
  HELD_OUT.map((test, id) => ({
    id,
    test,
    train: Array.from({ length: 40 }, (_, i) => `s${i + 1}`).filter((p) => !test.includes(p)),
  })),
);
