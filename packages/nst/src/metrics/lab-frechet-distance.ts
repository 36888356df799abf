import { symmetricEigen3 } from '../internal/color';
import { moments3, srgbToLab } from './lab';
import { readPixels } from './read-pixels';

function sqrtm(a: readonly (readonly number[])[]): number[][] {
  const { values, vectors: v } = symmetricEigen3(a);
  const d = values.map((l) => Math.sqrt(Math.max(l, 0)));
  return [0, 1, 2].map((i) => [0, 1, 2].map((j) => v[i]![0]! * d[0]! * v[j]![0]! + v[i]![1]! * d[1]! * v[j]![1]! + v[i]![2]! * d[2]! * v[j]![2]!));
}

function mul(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number[][] {
  return [0, 1, 2].map((i) => [0, 1, 2].map((j) => a[i]![0]! * b[0]![j]! + a[i]![1]! * b[1]![j]! + a[i]![2]! * b[2]![j]!));
}

/**
 * Palette distance that sees colour and contrast: the Fréchet distance
 * between Gaussians fitted (mean and covariance) to the CIE L*a*b* colours of
 * two images' pixels, √(‖μ₁−μ₂‖² + tr(Σ₁ + Σ₂ − 2(Σ₁^½ Σ₂ Σ₁^½)^½)), in
 * Lab units (ΔE). 0 for the same colour statistics; the images may differ in size.
 *
 * @throws ShapeError / InvalidArgumentError when an image is not one finite [1,H,W,3] float32 image.
 *
 * @example
 * ```ts
 * const d = await labFrechetDistance(result, style); // number ≥ 0
 * ```
 */
export async function labFrechetDistance(a: unknown, b: unknown): Promise<number> {
  const fn = 'labFrechetDistance';
  const pa = await readPixels(a, fn, 'a');
  const pb = await readPixels(b, fn, 'b');
  const ma = moments3(srgbToLab(pa.data));
  const mb = moments3(srgbToLab(pb.data));
  const s = sqrtm(ma.cov);
  const cross = sqrtm(mul(mul(s, mb.cov), s));
  let d2 = 0;
  for (let k = 0; k < 3; k++) d2 += (ma.mean[k]! - mb.mean[k]!) ** 2 + ma.cov[k]![k]! + mb.cov[k]![k]! - 2 * cross[k]![k]!;
  return Math.sqrt(Math.max(d2, 0));
}
