import { ShapeError } from '@likeness/backends';
import type { FeatureExtractor } from '../feature-extractor';

/**
 * Throws ShapeError naming `argument` when an image of `height`×`width` is
 * too small for `extractor` to compute `layers` (see FeatureExtractor.minInputSide).
 * Runs before any tensor work.
 */
export function checkMinSide(
  extractor: FeatureExtractor,
  layers: readonly string[],
  height: number,
  width: number,
  fn: string,
  argument: string,
  what = 'this image',
): void {
  const min = typeof extractor.minInputSide === 'function' ? extractor.minInputSide(layers) : 1;
  if (height >= min && width >= min) return;
  const other = extractor.name.startsWith('mobilenet_v2') ? '' : ', or the MobileNetV2 default (loadDefaultExtractor())';
  throw new ShapeError({
    fn,
    argument,
    expected: `at least ${min}×${min} px for ${extractor.name} (its strided convolutions and pools leave nothing below that for layers ${layers.join(', ')})`,
    actual: `${height}×${width} px (${what})`,
    hint: `Use a larger image or scale (e.g. a larger --image_size, a coarsest scale with ≥ ${min} px per side, or a larger styleScale)${other}.`,
  });
}
