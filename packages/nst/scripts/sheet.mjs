// Full comparison sheet (run by hand, ~30 min on 2 cores):
//   node scripts/sheet.mjs [--models mobilenet_v2,inception_v3] [--pairs tubingen_starry,…]
//                          [--width 512] [--scales 0.5,1] [--iterations 100,40] [--backend wasm]
// Writes docs/sheet/<pair>.jpg (content | style | ours per model | reference),
// docs/sheet/<pair>_<model>.jpg (our full-size output) and docs/sheet/results.json,
// then regenerates the table in docs/COMPARISON.md.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@likeness/backends/wasm';
import '@likeness/backends/cpu';
import { useBackend } from '@likeness/backends';
import { PAIRS, requireData, runPair } from './lib/run-pair.mjs';
import { writeImage, atomicWrite } from './lib/images.mjs';
import { writeRow } from './lib/compose.mjs';

const { values } = parseArgs({
  options: {
    models: { type: 'string', default: 'mobilenet_v2' },
    pairs: { type: 'string', default: PAIRS.map((p) => p[2]).join(',') },
    width: { type: 'string', default: '512' },
    scales: { type: 'string', default: '0.5,1' },
    iterations: { type: 'string', default: '100,40' },
    backend: { type: 'string', default: 'wasm' },
    'style-weight': { type: 'string' },
    out: { type: 'string', default: new URL('../docs/sheet/', import.meta.url).pathname },
  },
});
requireData();
await useBackend(values.backend);
const models = values.models.split(',');
const scales = values.scales.split(',').map(Number);
const iterations = values.iterations.split(',').map(Number);
const width = Number(values.width);
const resultsPath = join(values.out, 'results.json');
let results = [];
try {
  results = JSON.parse(await readFile(resultsPath, 'utf8'));
} catch {
  /* first run */
}
for (const name of values.pairs.split(',')) {
  const pair = PAIRS.find((p) => p[2] === name);
  if (!pair) throw new Error(`unknown pair ${name}; pairs: ${PAIRS.map((p) => p[2]).join(', ')}`);
  const outs = [];
  let base;
  for (const model of models) {
    const r = await runPair(pair, {
      model,
      width,
      scales,
      iterations,
      styleWeight: values['style-weight'] ? Number(values['style-weight']) : undefined,
      log: console.log,
    });
    console.log(JSON.stringify(r.metrics));
    results = results.filter((m) => !(m.pair === name && m.model === model));
    results.push(r.metrics);
    await writeImage(join(values.out, `${name}_${model}.jpg`), r.image, { quality: 85 });
    outs.push([r.image, `ours: ${model}`]);
    if (base) tf.dispose([r.content, r.style, r.reference]);
    else base = r;
  }
  const size = await writeRow(
    join(values.out, `${name}.jpg`),
    [base.content, base.style, ...outs.map((o) => o[0]), base.reference],
    ['content', 'style', ...outs.map((o) => o[1]), 'reference (VGG-19, L-BFGS)'],
  );
  console.log(`wrote ${name}.jpg (${Math.round(size / 1024)} KB)`);
  tf.dispose([base.content, base.style, base.reference, ...outs.map((o) => o[0])]);
  await atomicWrite(resultsPath, JSON.stringify(results, null, 2) + '\n');
}
