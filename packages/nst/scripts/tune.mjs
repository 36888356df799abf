// Quality tuning at small size (run by hand):
//   node scripts/tune.mjs --pair tubingen_scream --width 256 --config '{"smoothing":"softmax"}' --name sm [--out /tmp/nstx]
// Runs one pair with the given styleTransfer options (JSON), prints the sheet's
// numbers (structure, palette) and seconds/iteration, writes <out>/<pair>_<name>.png
// and appends one JSON line to <out>/tune.jsonl.
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import '@likeness/backends/wasm';
import '@likeness/backends/cpu';
import { useBackend } from '@likeness/backends';
import { PAIRS, requireData, runPair } from './lib/run-pair.mjs';
import { writeImage } from './lib/images.mjs';

const { values } = parseArgs({
  options: {
    pair: { type: 'string', default: 'tubingen_scream' },
    width: { type: 'string', default: '256' },
    model: { type: 'string', default: 'mobilenet_v2' },
    config: { type: 'string', default: '{}' },
    name: { type: 'string', default: 'run' },
    backend: { type: 'string', default: 'wasm' },
    out: { type: 'string', default: '/tmp/nstx' },
  },
});
requireData();
await useBackend(values.backend);
const cfg = JSON.parse(values.config);
const pair = PAIRS.find((p) => p[2] === values.pair);
const load0 = loadavg()[0];
const r = await runPair(pair, { model: values.model, width: Number(values.width), scales: [1], iterations: 100, ...cfg, log: console.log });
const its = (Array.isArray(r.metrics.iterations) ? r.metrics.iterations : [r.metrics.iterations]).reduce((a, b) => a + b, 0);
const row = { name: values.name, model: values.model, cfg, ...r.metrics, secondsPerIteration: +(r.metrics.seconds / its).toFixed(2), load: [+load0.toFixed(2), +loadavg()[0].toFixed(2)] };
console.log(JSON.stringify(row));
await writeImage(join(values.out, `${values.pair}_${values.name}.png`), r.image);
await appendFile(join(values.out, 'tune.jsonl'), JSON.stringify(row) + '\n');
