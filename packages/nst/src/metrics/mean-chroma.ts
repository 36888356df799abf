import { srgbToLab } from './lab';
import { readPixels } from './read-pixels';

/**
 * How colourful an image is: the mean CIE L*a*b* chroma √(a*² + b*²) of its
 * pixels (0 for greys; a greyscale style should give a result near 0).
 *
 * @throws ShapeError / InvalidArgumentError when `image` is not one finite [1,H,W,3] float32 image.
 *
 * @example
 * ```ts
 * const c = await meanChroma(result); // e.g. 0.4 for a grey engraving style, 30 for a saturated painting
 * ```
 */
export async function meanChroma(image: unknown): Promise<number> {
  const lab = srgbToLab((await readPixels(image, 'meanChroma', 'image')).data);
  let s = 0;
  for (let i = 0; i < lab.length; i += 3) s += Math.hypot(lab[i + 1]!, lab[i + 2]!);
  return s / (lab.length / 3);
}
