/**
 * Benchmark: one triplet training step (batch P=10 × K=5, batch-hard,
 * forward + backward + Adam update) of the compact encoder on the wasm and
 * cpu backends, against PyTorch on the CPU (Debian python3-torch) running the
 * same net and batch in the same run. Prints ms/step and ratios.
 *
 *   pnpm --filter @likeness/training bench            # 56×46 and 112×92
 *   tsx bench/step-time.ts --sizes 56x46 --steps 5
 *
 * Timings are noisy on a shared machine; run it on a quiet one.
 */
import '@likeness/backends/cpu';
import '@likeness/backends/wasm';
import { execFileSync } from 'node:child_process';
import { torchEnv } from '../../../scripts/bench-harness.mjs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@likeness/backends';
import { createCompactEncoder } from '@likeness/embeddings';
import { tripletObjective } from '@likeness/triplet';
import { train } from '@likeness/training';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '56x46,112x92' }, steps: { type: 'string', default: '5' }, backends: { type: 'string', default: 'wasm,cpu' }, threads: { type: 'string', default: '2' } } });
const steps = Number(values.steps);
const here = dirname(fileURLToPath(import.meta.url));

async function tfjsStep(backend: string, h: number, w: number): Promise<number> {
  await useBackend(backend);
  const enc = createCompactEncoder({ inputShape: [h, w, 1], seed: 1 });
  const images = tf.randomUniform([50, h, w, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
  const labels = Array.from({ length: 50 }, (_, i) => Math.floor(i / 5));
  const times: number[] = [];
  let last = Date.now();
  await train(enc, { images, labels }, {
    objective: tripletObjective({ strategy: 'batch-hard', p: 10, k: 5 }), steps: steps + 2, learningRate: 1e-3, onWarning: () => {},
    onProgress: () => { const now = Date.now(); times.push(now - last); last = now; },
  });
  tf.dispose(images);
  enc.dispose();
  const timed = times.slice(2); // two warm-up steps
  return timed.reduce((a, b) => a + b, 0) / timed.length;
}

function torchStep(h: number, w: number): number | null {
  try {
    const out = execFileSync('/usr/bin/python3', [join(here, 'torch_step.py'), String(h), String(w), String(steps), values.threads!], { encoding: 'utf8', env: torchEnv(Number(values.threads)) });
    return (JSON.parse(out.trim().split('\n').pop()!) as { msPerStep: number }).msPerStep;
  } catch (e) {
    console.warn(`PyTorch reference unavailable (/usr/bin/python3 -c 'import torch' failed?): ${(e as Error).message.split('\n')[0]}`);
    return null;
  }
}

console.log(`triplet training step, compact encoder, batch 50 (P=10 × K=5), batch-hard, Adam; ${steps} timed steps after 2 warm-up; PyTorch threads ${values.threads}`);
console.log('| input | backend | ms/step | PyTorch CPU ms/step | ratio (tfjs / PyTorch) |\n|---|---|---|---|---|');
for (const size of values.sizes!.split(',')) {
  const [h, w] = size.split('x').map(Number) as [number, number];
  const ref = torchStep(h, w);
  for (const b of values.backends!.split(',')) {
    const ms = await tfjsStep(b, h, w);
    console.log(`| ${h}×${w} | ${b} | ${ms.toFixed(0)} | ${ref === null ? '–' : ref.toFixed(0)} | ${ref === null ? '–' : (ms / ref).toFixed(1) + '×'} |`);
  }
}
