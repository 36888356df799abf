import { InvalidArgumentError } from '@likeness/backends';
import { readPixels } from './read-pixels';

/** Options of {@link slicedWassersteinDistance}. */
export interface SlicedWassersteinOptions {
  /** Number of directions in RGB space (spread evenly over the sphere, deterministic). @defaultValue 64 */
  projections?: number;
}

/** `n` unit vectors spread evenly over the sphere (Fibonacci lattice). */
/** @internal */
export function sphereDirections(n: number): [number, number, number][] {
  const golden = Math.PI * (3 - Math.sqrt(5));
  return Array.from({ length: n }, (_, i) => {
    const z = 1 - (2 * (i + 0.5)) / n;
    const r = Math.sqrt(1 - z * z);
    return [r * Math.cos(golden * i), r * Math.sin(golden * i), z];
  });
}

/**
 * Distance between the colour distributions of two images' pixels: the
 * sliced 2-Wasserstein distance in RGB ([0,1] units), √(mean over directions
 * θ of W₂²(θ·a, θ·b)), each 1-D W₂ from the sorted projections compared at
 * matching quantiles. Unlike a Gaussian fit it sees the whole palette
 * (several colour clusters); 0 when one image's pixels are a permutation of
 * the other's. The images may differ in size.
 *
 * @throws ShapeError / InvalidArgumentError when an image is not one finite
 *   [1,H,W,3] float32 image or `projections` is not a positive integer.
 *
 * @example
 * ```ts
 * const d = await slicedWassersteinDistance(result, style); // number ≥ 0
 * ```
 */
export async function slicedWassersteinDistance(a: unknown, b: unknown, options: SlicedWassersteinOptions = {}): Promise<number> {
  const fn = 'slicedWassersteinDistance';
  const k = options.projections ?? 64;
  if (!Number.isInteger(k) || k < 1) throw new InvalidArgumentError({ fn, argument: 'options.projections', message: `expected a positive integer, got ${String(k)}.` });
  const pa = (await readPixels(a, fn, 'a')).data;
  const pb = (await readPixels(b, fn, 'b')).data;
  const n = pa.length / 3;
  const m = pb.length / 3;
  const q = Math.min(n, m);
  const xa = new Float64Array(n);
  const xb = new Float64Array(m);
  let sum = 0;
  for (const [dx, dy, dz] of sphereDirections(k)) {
    for (let i = 0; i < n; i++) xa[i] = dx * pa[3 * i]! + dy * pa[3 * i + 1]! + dz * pa[3 * i + 2]!;
    for (let i = 0; i < m; i++) xb[i] = dx * pb[3 * i]! + dy * pb[3 * i + 1]! + dz * pb[3 * i + 2]!;
    xa.sort();
    xb.sort();
    let s = 0;
    for (let i = 0; i < q; i++) s += (xa[Math.floor(((i + 0.5) * n) / q)]! - xb[Math.floor(((i + 0.5) * m) / q)]!) ** 2;
    sum += s / q;
  }
  return Math.sqrt(sum / k);
}
