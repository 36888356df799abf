// Seconds per value+gradient (Adam) step of the style-transfer engine, for
// the default backbone (nsfwjs MobileNetV2 to block_10) and a VGG-19-shaped
// net (to relu5_1, generated weights), on wasm and cpu, with PyTorch on the
// CPU (Debian python3-torch, same net, size, loss and optimiser) in the same run.
//   node scripts/bench.mjs [--nets mobilenet_v2,vgg19] [--sizes 256,512] [--backends wasm,cpu] [--steps 3] [--threads 2]
// Not run in CI. Timings are noisy on a shared machine.
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@likeness/backends/wasm';
import '@likeness/backends/cpu';
import { useBackend } from '@likeness/backends';
import { createStyleTransfer, createVgg } from '../dist/index.js';
import { loadDefaultExtractor } from '../dist/node.js';
import { generatedVgg19Weights, runTorch } from '../../../scripts/bench-harness.mjs';

const { values } = parseArgs({
  options: {
    nets: { type: 'string', default: 'mobilenet_v2,vgg19' },
    sizes: { type: 'string', default: '256,512' },
    backends: { type: 'string', default: 'wasm,cpu' },
    steps: { type: 'string', default: '3' },
    threads: { type: 'string', default: '2' },
    'skip-torch': { type: 'boolean', default: false },
  },
});
const steps = Number(values.steps);
const nets = values.nets.split(',');
const sizes = values.sizes.split(',').map(Number);

async function extractorFor(net) {
  if (net === 'mobilenet_v2') return loadDefaultExtractor();
  const w = generatedVgg19Weights();
  const ex = createVgg({ depth: 19, layout: 'keras', weights: w });
  tf.dispose(Object.values(w));
  return ex;
}

const torch = new Map();
function torchTime(net, size) {
  const key = `${net}@${size}`;
  if (values['skip-torch']) return null;
  if (!torch.has(key)) {
    try {
      // in the harness's torchEnv: passive OpenMP wait, OpenBLAS where present (PyTorch at its best here)
      const out = runTorch(new URL('./bench_torch.py', import.meta.url).pathname, [net, size, steps, values.threads], Number(values.threads));
      torch.set(key, out.seconds_per_step);
    } catch (e) {
      console.error(`PyTorch reference failed for ${key}: ${e.message.split('\n')[0]}`);
      torch.set(key, null);
    }
  }
  return torch.get(key);
}

const rows = [];
for (const backend of values.backends.split(',')) {
  await useBackend(backend);
  for (const net of nets) {
    const ex = await extractorFor(net);
    for (const size of sizes) {
      const content = tf.randomUniform([1, size, size, 3], 0, 1, 'float32', 1);
      const style = tf.randomUniform([1, size, size, 3], 0, 1, 'float32', 2);
      const t = createStyleTransfer({ extractor: ex, content, styles: [style], memoryBudgetBytes: 16 * 2 ** 30 });
      t.step(); // warm-up (kernel set-up, weight upload)
      const t0 = performance.now();
      for (let i = 0; i < steps; i++) t.step();
      const ours = (performance.now() - t0) / 1000 / steps;
      t.dispose();
      tf.dispose([content, style]);
      const ref = torchTime(net, size);
      const row = { backend, net, size, secondsPerStep: +ours.toFixed(3), torchSecondsPerStep: ref == null ? null : +ref.toFixed(3), ratio: ref ? +(ours / ref).toFixed(2) : null };
      rows.push(row);
      console.log(JSON.stringify(row));
    }
    ex.dispose();
  }
}
console.log('\n| backend | net | size | s/step (likeness) | s/step (PyTorch CPU) | ratio |\n|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.backend} | ${r.net} | ${r.size}² | ${r.secondsPerStep} | ${r.torchSecondsPerStep ?? 'n/a'} | ${r.ratio ?? 'n/a'} |`);
