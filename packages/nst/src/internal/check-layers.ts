import { InvalidArgumentError } from '@likeness/backends';

/** Throws InvalidArgumentError naming `argument` when a layer name is unknown; returns the deepest index. */
export function checkLayers(requested: readonly string[], known: readonly string[], fn: string, argument: string): number {
  if (!Array.isArray(requested) || requested.length === 0) {
    throw new InvalidArgumentError({ fn, argument, message: `expected a non-empty array of layer names, e.g. ['${known[0]}'].` });
  }
  let deepest = -1;
  for (const name of requested) {
    const i = known.indexOf(name);
    if (i < 0) {
      throw new InvalidArgumentError({
        fn,
        argument,
        message: `unknown layer ${JSON.stringify(name)}. This extractor has: ${known.join(', ')}.`,
      });
    }
    deepest = Math.max(deepest, i);
  }
  return deepest;
}
