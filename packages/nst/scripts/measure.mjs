// Stroke and colour numbers of stored results (no optimisation):
//   node scripts/measure.mjs --pair tubingen_scream --width 512 today=docs/sheet/tubingen_scream_mobilenet_v2.jpg new=out/x.png
// Prints one JSON line per image, then the content's, the style's and the reference's numbers.
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@likeness/backends/cpu';
import { useBackend } from '@likeness/backends';
import { DATA, PAIRS, requireData } from './lib/run-pair.mjs';
import { readImage } from './lib/images.mjs';
import { describeImage } from './lib/stroke-metrics.mjs';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { pair: { type: 'string' }, width: { type: 'string', default: '512' } } });
requireData();
await useBackend('cpu');
const pair = PAIRS.find((p) => p[2] === values.pair);
if (!pair) throw new Error(`--pair must be one of ${PAIRS.map((p) => p[2]).join(', ')}`);
const width = Number(values.width);
const content = await readImage(join(DATA, 'content', `${pair[0]}.jpg`), { width });
const [, h] = content.shape;
const style = await readImage(join(DATA, 'style', `${pair[1]}.jpg`), { width });
const reference = await readImage(join(DATA, 'reference', `${pair[2]}.png`), { width, height: h });
for (const arg of positionals) {
  const [name, file] = arg.includes('=') ? arg.split('=') : [arg, arg];
  const im = await readImage(file, { width, height: h });
  console.log(JSON.stringify({ pair: pair[2], name, ...(await describeImage(im, style)) }));
  im.dispose();
}
for (const [name, im] of [['content', content], ['style', style], ['reference', reference]]) console.log(JSON.stringify({ pair: pair[2], name, ...(await describeImage(im, style)) }));
tf.dispose([content, style, reference]);
