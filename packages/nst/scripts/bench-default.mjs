// Wall time of one whole default stylisation (the CLI's and the sheet's recipe) on wasm, for
// today's default and the previous one in the same run, so the ratio is read on one machine state:
//   node scripts/bench-default.mjs [--width 512] [--backend wasm] [--repeats 1]
// Content 512×384 and a 512×640 style, smooth seeded images (the time does not depend on what they show).
// previous default: styleScale 1, finalColors 'none', no warm-up (the defaults before the stroke-scale work, issue 19's "today");
// no warm-up:       learningRateWarmup 0 (the default before the warm-up: styleScale 2, finalColors 'style');
// default:          the library's defaults now (styleScale from the backbone, finalColors 'style', learningRateWarmup 25).
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import '@likeness/backends/wasm';
import '@likeness/backends/cpu';
import { useBackend } from '@likeness/backends';
import { styleTransfer } from '../dist/index.js';
import { loadDefaultExtractor } from '../dist/node.js';
import { smoothImage } from '../../../scripts/bench-harness.mjs';

const { values } = parseArgs({
  options: {
    width: { type: 'string', default: '512' },
    backend: { type: 'string', default: 'wasm' },
    repeats: { type: 'string', default: '1' },
    iterations: { type: 'string', default: '150,50' },
  },
});
const width = Number(values.width);
const height = Math.round((width * 3) / 4);
const iterations = values.iterations.split(',').map(Number);
await useBackend(values.backend);
const extractor = await loadDefaultExtractor();

const content = smoothImage(height, width, 1);
// The style at the content's size, as the CLI reads it (the engine magnifies it by styleScale).
const style = smoothImage(Math.round(width * 1.25), width, 2);
const variants = [
  ['previous default', { styleScale: 1, finalColors: 'none', learningRateWarmup: 0 }],
  ['no warm-up', { learningRateWarmup: 0 }],
  ['default', {}],
];
const rows = [];
for (let r = 0; r < Number(values.repeats); r++) {
  for (const [name, opts] of variants) {
    const load = loadavg()[0];
    const t0 = performance.now();
    const { image } = await styleTransfer({ extractor, content, styles: [style], scales: [0.5, 1], iterations, ...opts });
    const seconds = (performance.now() - t0) / 1000;
    image.dispose();
    rows.push({ name, seconds, load: [load, loadavg()[0]] });
    console.log(JSON.stringify({ name, backend: tf.getBackend(), size: `${width}×${height}`, iterations, seconds: +seconds.toFixed(1), load: rows.at(-1).load.map((l) => +l.toFixed(2)) }));
  }
}
tf.dispose([content, style]);
extractor.dispose();
const mean = (n) => rows.filter((r) => r.name === n).reduce((s, r) => s + r.seconds, 0) / Number(values.repeats);
const prev = mean('previous default');
const noWarmup = mean('no warm-up');
const now = mean('default');
console.log(`\n| stylisation (${width}×${height}, ${iterations.join(' + ')} Adam steps, ${tf.getBackend()}) | seconds |\n|---|---|`);
console.log(
  `| previous default (styleScale 1, finalColors 'none', no warm-up) | ${prev.toFixed(1)} |\n| no warm-up (learningRateWarmup 0) | ${noWarmup.toFixed(1)} |\n| default | ${now.toFixed(1)} |\n` +
    `| ratio default / previous | ${(now / prev).toFixed(2)} |\n| ratio default / no warm-up | ${(now / noWarmup).toFixed(2)} |`,
);
