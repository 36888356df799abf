// Benchmark: the oneDNN plugin against wasm and cpu (Node) and PyTorch on the CPU, in one run.
// Run: pnpm --filter @likeness/backend-onednn bench   (builds first; imports dist/ and the built addon)
// Options: --backends=onednn,wasm,cpu  --reps=7  --torch-threads=2  --no-torch  --threads=N (env.wasm.numThreads)
//          --cases=a,b (substrings of case names)  --json (one JSON line of results at the end)
// oneDNN's threads: OMP_NUM_THREADS (Debian's libdnnl uses OpenMP); default: all cores.
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@likeness/backends/cpu';
import '@likeness/backends/wasm';
import { env, useBackend } from '@likeness/backends';
import { runTorch, torchConfig } from '../../../scripts/bench-harness.mjs';
import { loadOneDnn } from '../dist/index.js';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? 'true'];
  }),
);
const backends = (args.backends ?? 'onednn,wasm,cpu').split(',');
const reps = Number(args.reps ?? 7);
const torchThreads = Number(args['torch-threads'] ?? 2);
env.wasm.numThreads = Number(args.threads ?? 2);
const only = args.cases ? args.cases.split(',') : null;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Times the ops alone, as the PyTorch reference does (it never copies its outputs out): the cpu,
// wasm and onednn kernels run synchronously, so the work is done when fn returns. Reading the
// outputs back (t.data()) used to be timed too: a copy of a 16 MiB output into fresh memory is
// 4096 page faults, 45–130 ms on these machines until the garbage collector frees earlier
// copies for malloc to reuse — which is why "conv2d fwd", the first case run, took 79 ms against
// 68 ms for "conv2d fwd+dx+dW" (its convolution alone: 12–25 ms).
async function timed(fn, n, warmUp = true) {
  const once = async () => {
    const t0 = performance.now();
    const out = fn();
    const ms = performance.now() - t0;
    tf.dispose(Array.isArray(out) ? out : [out]);
    return ms;
  };
  if (warmUp) await once(); // creates and caches the oneDNN primitives, compiles wasm operators
  const times = [];
  for (let i = 0; i < n; i++) times.push(await once());
  return median(times);
}

function cases() {
  const x = tf.randomNormal([1, 256, 256, 64], 0, 1, 'float32', 1);
  const w = tf.mul(tf.randomNormal([3, 3, 64, 64], 0, 1, 'float32', 2), 0.05);
  const w2 = tf.mul(tf.randomNormal([3, 3, 64, 64], 0, 1, 'float32', 3), 0.05);
  const xd = tf.randomNormal([8, 64, 64, 96], 0, 1, 'float32', 4);
  const wd = tf.mul(tf.randomNormal([3, 3, 96, 1], 0, 1, 'float32', 5), 0.1);
  const list = {
    'conv2d fwd': () => tf.conv2d(x, w, 1, 'same'),
    'conv2d fwd+dx+dW': () => tf.grads((xx, ww) => tf.conv2d(xx, ww, 1, 'same'))([x, w]),
    'depthwise 3×3 [8,64,64,96] fwd+dx+dW': () => tf.grads((xx, ww) => tf.depthwiseConv2d(xx, ww, 1, 'same'))([xd, wd]),
    'VGG block fwd+bwd': () =>
      tf.grads((xx, wa, wb) => {
        const h1 = tf.relu(tf.conv2d(xx, wa, 1, 'same'));
        const h2 = tf.relu(tf.conv2d(h1, wb, 1, 'same'));
        return tf.sum(tf.maxPool(h2, 2, 2, 'valid'));
      })([x, w, w2]),
  };
  return { list, dispose: () => tf.dispose([x, w, w2, xd, wd]) };
}

if (backends.includes('onednn')) {
  await import('../dist/index.js'); // registers the plugin
  const info = loadOneDnn().info(); // throws with what to install when oneDNN is missing
  process.stderr.write(`oneDNN ${info.version} (${info.cpuRuntime}), OMP_NUM_THREADS=${process.env.OMP_NUM_THREADS ?? '(all cores)'}\n`);
}

const results = {};
for (const name of backends) {
  await useBackend(name, { allowSwitchWithTensors: true });
  const { list, dispose } = cases();
  results[name] = {};
  const slow = name === 'cpu'; // tens of seconds a case: one run, no warm-up
  for (const [label, fn] of Object.entries(list)) {
    if (only && !only.some((o) => label.includes(o))) continue;
    results[name][label] = await timed(fn, slow ? 1 : reps, !slow);
    process.stderr.write(`${name} ${label}: ${results[name][label].toFixed(1)} ms\n`);
  }
  dispose();
}

let torch = null;
let torchSetup = null;
if (args['no-torch'] !== 'true') {
  try {
    // in the shared harness's torchEnv: passive OpenMP wait, OpenBLAS where present
    torchSetup = torchConfig(fileURLToPath(new URL('./torch_setup.py', import.meta.url)), torchThreads);
    torch = runTorch(fileURLToPath(new URL('./torch_bench.py', import.meta.url)), [torchThreads, reps], torchThreads);
  } catch (e) {
    console.error(`PyTorch reference unavailable (apt-get install python3-torch): ${e.message.split('\n')[0]}`);
  }
}

const labels = Object.keys(results[backends[0]]);
const header = [
  'case',
  ...backends.map((b) => `${b} ms`),
  ...(torch ? [`torch (${torchThreads} thr) ms`, ...backends.map((b) => `${b}/torch`)] : []),
];
const rows = labels.map((l) => [
  l,
  ...backends.map((b) => results[b][l]?.toFixed(1) ?? '–'),
  ...(torch
    ? [torch[l]?.toFixed(1) ?? '–', ...backends.map((b) => (torch[l] && results[b][l] ? (results[b][l] / torch[l]).toFixed(2) + '×' : '–'))]
    : []),
]);
if (torchSetup) console.log(`\nPyTorch ${torchSetup.torch}: ${torchSetup.threads} threads, oneDNN ${torchSetup.mkldnn ? 'on' : 'off'}, ${torchSetup.cpuCapability}, malloc ${torchSetup.malloc}, BLAS ${torchSetup.blas}`);
console.log(`\n| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log(`\nmedian of ${reps} runs after a warm-up (cpu: 1 run, no warm-up); tfjs ${tf.version_core}, Node ${process.version}`);
console.log(`wasm threads: ${env.wasm.numThreads}; load average: ${loadavg().map((v) => v.toFixed(1)).join(' ')}`);
if (args.json === 'true') console.log(JSON.stringify({ results, torch, torchSetup }));
