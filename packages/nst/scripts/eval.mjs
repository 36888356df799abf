// CI evaluation (< 10 min on 2 cores): two pairs (tubingen × starry_night, × the_scream) at
// 256 px wide with the offline default backbone, then checks that the result
// keeps the content's structure and moves its palette at least half-way toward the style's,
// measured the same way on the VGG-19 reference, and prints the stroke-scale numbers (luminance
// spectrum) and colour distances (Lab Fréchet, sliced-Wasserstein RGB) of ours, the content, the
// style and the reference. Writes out/eval/ (ignored by git).
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@likeness/backends/wasm';
import '@likeness/backends/cpu';
import { useBackend } from '@likeness/backends';
import { PAIRS, requireData, runPair } from './lib/run-pair.mjs';
import { writeImage } from './lib/images.mjs';
import { writeRow } from './lib/compose.mjs';

requireData();
const { name } = await useBackend(['wasm', 'cpu']);
const out = new URL('../out/eval/', import.meta.url).pathname;
// tubingen × starry night and × the scream (the pair the old defaults failed: palette not taken).
const failures = [];
for (const pair of [PAIRS[0], PAIRS[1]]) {
  const r = await runPair(pair, { model: 'mobilenet_v2', width: 256, scales: [0.5, 1], iterations: [60, 60], log: console.log });
  await writeImage(join(out, `${pair[2]}_mobilenet_v2.jpg`), r.image);
  await writeRow(join(out, `${pair[2]}.jpg`), [r.content, r.style, r.image, r.reference], ['content', 'style', 'ours (mobilenet_v2)', 'reference']);
  const m = r.metrics;
  console.log(JSON.stringify(m, null, 2));
  tf.dispose([r.image, r.content, r.style, r.reference]);

  // Pass criteria, each anchored to the reference measured the same way.
  if (!(m.ours.structure >= 0.5 * m.reference.structure)) {
    failures.push(`${pair[2]}: structure kept ${m.ours.structure} < half the reference's ${m.reference.structure}`);
  }
  // At least half-way from the photo's palette to the reference's (the old defaults failed this on the scream).
  const halfway = (m.contentPaletteToStyle + m.reference.paletteToStyle) / 2;
  if (!(m.ours.paletteToStyle <= halfway)) {
    failures.push(`${pair[2]}: palette distance to the style ${m.ours.paletteToStyle} is not at least half-way from the content's ${m.contentPaletteToStyle} to the reference's ${m.reference.paletteToStyle} (≤ ${halfway.toFixed(3)})`);
  }
  if (!(m.loss.style < 1e9 && Number.isFinite(m.loss.total))) failures.push(`${pair[2]}: loss not finite: ${JSON.stringify(m.loss)}`);
  const st = m.stroke;
  const fmtBands = (b) => Object.entries(b).map(([k, v]) => `${k}: ${v}`).join(', ');
  console.log(
    `${pair[2]}: stroke scale — spectral slope ${st.ours.slope} (content ${st.content.slope}, style ${st.style.slope}, reference ${st.reference.slope}), ` +
      `power at wavelengths < 8 px ${st.ours.fineFraction} (content ${st.content.fineFraction}, style ${st.style.fineFraction}, reference ${st.reference.fineFraction}); ` +
      `power per wavelength octave (px) ${fmtBands(st.ours.bands)} (reference ${fmtBands(st.reference.bands)}); ` +
      `colour to the style — Lab Fréchet ${st.ours.labFrechet} (reference ${st.reference.labFrechet}, content ${st.content.labFrechet}), sliced-Wasserstein RGB ${st.ours.swRgb} (reference ${st.reference.swRgb}, content ${st.content.swRgb})`,
  );
  console.log(`${pair[2]}: backend ${name}, ${m.seconds} s; structure ${m.ours.structure} (reference ${m.reference.structure}), palette distance to style ${m.ours.paletteToStyle} (content ${m.contentPaletteToStyle}, reference ${m.reference.paletteToStyle})`);
}
console.log(`sheet in ${out}`);
if (failures.length) {
  console.error('eval FAILED:\n  ' + failures.join('\n  '));
  process.exit(1);
}
console.log('eval passed');
