// Stroke scale and colour distances of a result next to the style, the
// reference and the content (all at the result's width), for eval, sheet and tune.
import { labFrechetDistance, luminanceSpectrum, meanChroma, slicedWassersteinDistance } from '../../dist/index.js';

const r3 = (x) => +x.toFixed(3);

/** Numbers of one image: spectral slope, fine-grain fraction, Lab Fréchet and sliced-Wasserstein RGB distance to the style, mean chroma. */
export async function describeImage(image, style) {
  const s = await luminanceSpectrum(image);
  return {
    slope: r3(s.slope),
    fineFraction: r3(s.highFrequencyFraction),
    labFrechet: r3(await labFrechetDistance(image, style)),
    swRgb: r3(await slicedWassersteinDistance(image, style)),
    chroma: r3(await meanChroma(image)),
  };
}

/**
 * Where `ours` sits between the content (0) and the reference (1) on each
 * stroke number: 0.5 means half-way from the photo's value to the reference's.
 */
export function progressTowardReference(ours, content, reference) {
  const t = (k) => (reference[k] === content[k] ? null : r3((ours[k] - content[k]) / (reference[k] - content[k])));
  return { slope: t('slope'), fineFraction: t('fineFraction') };
}
