// Sheet of the stroke-scale comparison from `scripts/tune.mjs` outputs (run by hand):
//   node scripts/stroke-sheet.mjs --in /tmp/nsth512 --names today,new [--out docs/sheet/stroke]
// For every pair with <in>/<pair>_<name>.png for each name (a missing one is taken from
// docs/sheet/<pair>_mobilenet_v2.jpg when --fallback names it), writes <out>/<pair>.jpg:
// content | style | each name | reference (tiles 320 px wide), and <out>/<pair>_<last name>.jpg full size.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@likeness/backends/cpu';
import { useBackend } from '@likeness/backends';
import { DATA, PAIRS, requireData } from './lib/run-pair.mjs';
import { readImage, writeImage } from './lib/images.mjs';
import { writeRow } from './lib/compose.mjs';

const { values } = parseArgs({
  options: {
    in: { type: 'string', default: '/tmp/nsth512' },
    names: { type: 'string', default: 'today,new' },
    labels: { type: 'string' },
    fallback: { type: 'string' },
    width: { type: 'string', default: '512' },
    out: { type: 'string', default: new URL('../docs/sheet/stroke/', import.meta.url).pathname },
  },
});
requireData();
await useBackend('cpu');
const names = values.names.split(',');
const labels = values.labels ? values.labels.split(',') : names;
const width = Number(values.width);
for (const [c, s, pair] of PAIRS) {
  const files = names.map((n) => {
    const f = join(values.in, `${pair}_${n}.png`);
    if (existsSync(f)) return [f, ''];
    if (values.fallback === n) return [new URL(`../docs/sheet/${pair}_mobilenet_v2.jpg`, import.meta.url).pathname, ' (stored)'];
    return null;
  });
  if (files.some((f) => f === null)) {
    console.log(`${pair}: skipped (not every image is there)`);
    continue;
  }
  const content = await readImage(join(DATA, 'content', `${c}.jpg`), { width });
  const [, h] = content.shape;
  const style = await readImage(join(DATA, 'style', `${s}.jpg`), { width });
  const reference = await readImage(join(DATA, 'reference', `${pair}.png`), { width, height: h });
  const ours = [];
  for (const [f] of files) ours.push(await readImage(f, { width, height: h }));
  await writeRow(join(values.out, `${pair}.jpg`), [content, style, ...ours, reference], ['content', 'style', ...labels.map((l, i) => l + files[i][1]), 'reference (VGG-19)']);
  await writeImage(join(values.out, `${pair}_${names.at(-1)}.jpg`), ours.at(-1), { quality: 80 });
  tf.dispose([content, style, reference, ...ours]);
  console.log(`${pair}: ${join(values.out, `${pair}.jpg`)}`);
}
