// Stroke scale and colour distances of a result next to the style, the
// reference and the content (all at the result's width), for eval, sheet and tune.
import { labFrechetDistance, luminanceSpectrum, meanChroma, slicedWassersteinDistance } from '../../dist/index.js';

const r3 = (x) => +x.toFixed(3);

/** Wavelength bands (px) of {@link bandShares}, finest first. */
export const BANDS = ['<4', '4-8', '8-16', '16-32', '32-64', '>64'];

/**
 * Share of the luminance's power in each octave of wavelength (BANDS), from
 * luminanceSpectrum's highFrequencyFraction at cutoffs 1/4 … 1/64 cycles/px
 * (exact partial sums over the FFT, no ring approximation). Sums to 1.
 */
export async function bandShares(image) {
  const cut = [4, 8, 16, 32, 64];
  const above = [];
  for (const w of cut) above.push((await luminanceSpectrum(image, { cutoff: 1 / w })).highFrequencyFraction);
  const shares = [above[0]];
  for (let i = 1; i < above.length; i++) shares.push(above[i] - above[i - 1]);
  shares.push(1 - above.at(-1));
  return Object.fromEntries(BANDS.map((b, i) => [b, r3(shares[i])]));
}

/** Numbers of one image: spectral slope, fine-grain fraction, power per octave band, Lab Fréchet and sliced-Wasserstein RGB distance to the style, mean chroma. */
export async function describeImage(image, style) {
  const s = await luminanceSpectrum(image);
  return {
    slope: r3(s.slope),
    fineFraction: r3(s.highFrequencyFraction),
    bands: await bandShares(image),
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
