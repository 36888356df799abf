// Runs one content × style pair with one backbone and measures it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { styleTransfer } from '../../dist/index.js';
import { loadDefaultExtractor } from '../../dist/node.js';
import { readImage } from './images.mjs';
import { paletteDistance, structureCorrelation } from './metrics.mjs';
import { describeImage, progressTowardReference } from './stroke-metrics.mjs';

export const DATA = new URL('../../../../../shared/data/nst/', import.meta.url).pathname;

export const PAIRS = [
  ['tubingen', 'starry_night', 'tubingen_starry'],
  ['tubingen', 'the_scream', 'tubingen_scream'],
  ['tubingen', 'shipwreck', 'tubingen_shipwreck'],
  ['golden_gate', 'starry_night', 'golden_gate_starry'],
  ['golden_gate', 'the_scream', 'golden_gate_scream'],
];

/** Stops with a clear message when ../shared/data/nst is missing. */
export function requireData() {
  const needed = [join(DATA, 'content'), join(DATA, 'style'), join(DATA, 'reference')];
  const missing = needed.filter((p) => !existsSync(p));
  if (missing.length) {
    console.error(
      `@likeness/nst eval: the style-transfer data is missing (${missing.join(', ')}).\n` +
        `Put the shared data next to the repository (../shared/data/nst with content/, style/, reference/) and run again.`,
    );
    process.exit(2);
  }
}

const extractors = new Map();
async function extractor(model) {
  if (!extractors.has(model)) extractors.set(model, await loadDefaultExtractor({ model }));
  return extractors.get(model);
}

/**
 * @returns {Promise<{image: tf.Tensor4D, content: tf.Tensor4D, style: tf.Tensor4D, reference: tf.Tensor4D, metrics: object}>}
 */
export async function runPair([c, s, ref], { model, width, scales, iterations, log = () => {}, styleRead, ...rest }) {
  const content = await readImage(join(DATA, 'content', `${c}.jpg`), { width });
  const [, h] = content.shape;
  const style = await readImage(join(DATA, 'style', `${s}.jpg`), { width });
  // By default the style is read at `width` and the engine magnifies it by styleScale (as the CLI does);
  // styleRead 'native' reads it at styleScale × width instead (its own finer detail at that size).
  const styleScale = rest.styleScale ?? 1;
  const styleInput = styleScale > 1 && styleRead === 'native' ? await readImage(join(DATA, 'style', `${s}.jpg`), { width: Math.round(width * styleScale) }) : style;
  const reference = await readImage(join(DATA, 'reference', `${ref}.png`), { width, height: h });
  const ex = await extractor(model);
  const t0 = Date.now();
  let lastScaleStart = null;
  const lastScale = scales?.at(-1) ?? 1;
  const result = await styleTransfer({
    extractor: ex,
    content,
    styles: [styleInput],
    scales,
    iterations,
    ...rest,
    onProgress: (e) => {
      if (e.scale === lastScale && e.iteration === 1) lastScaleStart = Date.now();
      if (e.iteration % 25 === 0) log(`  ${ref} ${model} scale ${e.scale} it ${e.iteration}/${e.iterations} loss ${e.loss.toFixed(3)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    },
  });
  const seconds = (Date.now() - t0) / 1000;
  if (styleInput !== style) styleInput.dispose();
  const last = result.history.at(-1);
  const first = result.history[0];
  const metrics = {
    pair: ref,
    model,
    width,
    height: h,
    scales,
    iterations,
    seconds: +seconds.toFixed(1),
    lastScaleSecondsPerIteration:
      lastScaleStart && Array.isArray(iterations) && iterations.at(-1) > 1 ? +((Date.now() - lastScaleStart) / 1000 / (iterations.at(-1) - 1)).toFixed(2) : undefined,
    loss: { total: +last.loss.toFixed(4), content: +last.content.toFixed(4), style: +last.style.toFixed(4), tv: +last.tv.toFixed(4) },
    firstLoss: { content: +first.content.toPrecision(4), style: +first.style.toPrecision(4), tv: +first.tv.toPrecision(4) },
    ours: {
      structure: +structureCorrelation(result.image, content).toFixed(3),
      paletteToStyle: +paletteDistance(result.image, style).toFixed(3),
    },
    reference: {
      structure: +structureCorrelation(reference, content).toFixed(3),
      paletteToStyle: +paletteDistance(reference, style).toFixed(3),
    },
    contentPaletteToStyle: +paletteDistance(content, style).toFixed(3),
    backend: tf.getBackend(),
  };
  // Stroke scale (luminance spectrum) and colour distances, backbone-independent.
  const stroke = {
    ours: await describeImage(result.image, style),
    content: await describeImage(content, style),
    style: await describeImage(style, style),
    reference: await describeImage(reference, style),
  };
  stroke.progress = progressTowardReference(stroke.ours, stroke.content, stroke.reference);
  metrics.stroke = stroke;
  return { image: result.image, content, style, reference, metrics };
}
