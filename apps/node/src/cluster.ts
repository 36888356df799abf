/**
 * Groups faces into people: agglomerative clustering with complete linkage
 * (two groups merge only if every cross pair is within `threshold`), and a
 * cannot-link rule: two faces of the same photo are never the same person.
 *
 * @example
 * ```ts
 * const groups = clusterFaces(D, photoOf, 0.55); // D [N][N] distances → number[][] (face indices)
 * ```
 */
export function clusterFaces(distances: readonly (readonly number[])[], photoOf: readonly number[], threshold: number): number[][] {
  let groups = photoOf.map((_, i) => [i]);
  for (;;) {
    let best: [number, number, number] | null = null;
    for (let a = 0; a < groups.length; a++) {
      for (let b = a + 1; b < groups.length; b++) {
        let link = 0;
        let allowed = true;
        for (const i of groups[a]!) {
          for (const j of groups[b]!) {
            if (photoOf[i] === photoOf[j]) allowed = false;
            link = Math.max(link, distances[i]![j]!);
          }
        }
        if (allowed && link <= threshold && (!best || link < best[2])) best = [a, b, link];
      }
    }
    if (!best) break;
    const [a, b] = best;
    groups = groups.filter((_, k) => k !== a && k !== b).concat([[...groups[a]!, ...groups[b]!]]);
  }
  return groups.sort((x, y) => y.length - x.length || x[0]! - y[0]!);
}
