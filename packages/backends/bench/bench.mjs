// Benchmark: cpu and wasm backends (Node) against PyTorch on the CPU.
// Run: pnpm --filter @likeness/backends bench   (builds first; imports dist/)
// PyTorch runs the one kernel reference of the repository (backend-onednn's bench/torch_bench.py,
// the same cases as its bench) in the environment of the harness every likeness benchmark shares
// (scripts/bench-harness.mjs at the repository root; torchEnv: passive OpenMP wait, OpenBLAS ahead
// of netlib's reference BLAS; LIKENESS_TORCH_BLAS_DIR names OpenBLAS's directory). Timing is the
// harness's timed (median after a warm-up; tensors and tf.grads' arrays read back and disposed).
// Options: --backends=wasm,cpu  --reps=5  --torch-threads=2  --no-torch  --threads=N (env.wasm.numThreads)
//          --cases=a,b (substrings of case names)  --json (one JSON line of results at the end)
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '../dist/cpu.js';
import '../dist/wasm.js';
import { env, useBackend } from '../dist/index.js';
import { runTorch, timed, torchConfig, torchEnv } from '../../../scripts/bench-harness.mjs';

// The PyTorch reference and its configuration (one script for these cases, shared with backend-onednn's bench).
const torchBench = fileURLToPath(new URL('../../backend-onednn/bench/torch_bench.py', import.meta.url));
const torchSetupScript = fileURLToPath(new URL('../../backend-onednn/bench/torch_setup.py', import.meta.url));

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? 'true'];
  }),
);
const backends = (args.backends ?? 'wasm,cpu').split(',');
const reps = Number(args.reps ?? 5);
const torchThreads = Number(args['torch-threads'] ?? 2);
if (args.threads !== undefined) env.wasm.numThreads = Number(args.threads);
const only = args.cases ? args.cases.split(',') : null;

function cases() {
  const x = tf.randomNormal([1, 256, 256, 64], 0, 1, 'float32', 1);
  const w = tf.mul(tf.randomNormal([3, 3, 64, 64], 0, 1, 'float32', 2), 0.05);
  const w2 = tf.mul(tf.randomNormal([3, 3, 64, 64], 0, 1, 'float32', 3), 0.05);
  const a = tf.randomNormal([1024, 1024], 0, 1, 'float32', 4);
  const b = tf.randomNormal([1024, 1024], 0, 1, 'float32', 5);
  const xd = tf.randomNormal([8, 64, 64, 96], 0, 1, 'float32', 6);
  const wd = tf.mul(tf.randomNormal([3, 3, 96, 1], 0, 1, 'float32', 7), 0.1);
  const list = {
    'conv2d fwd': () => tf.conv2d(x, w, 1, 'same'),
    'conv2d fwd+dx+dW': () => tf.grads((xx, ww) => tf.conv2d(xx, ww, 1, 'same'))([x, w]),
    'conv2d fwd+dx': () => tf.grad((xx) => tf.conv2d(xx, w, 1, 'same'))(x),
    'conv2d fwd+dW': () => tf.grad((ww) => tf.conv2d(x, ww, 1, 'same'))(w),
    'depthwise 3×3 [8,64,64,96] fwd+dx+dW': () => tf.grads((xx, ww) => tf.depthwiseConv2d(xx, ww, 1, 'same'))([xd, wd]),
    'matMul 1024²': () => tf.matMul(a, b),
    'VGG block fwd+bwd': () =>
      tf.grads((xx, wa, wb) => {
        const h1 = tf.relu(tf.conv2d(xx, wa, 1, 'same'));
        const h2 = tf.relu(tf.conv2d(h1, wb, 1, 'same'));
        return tf.sum(tf.maxPool(h2, 2, 2, 'valid'));
      })([x, w, w2]),
  };
  return { list, dispose: () => tf.dispose([x, w, w2, a, b, xd, wd]) };
}

const results = {};
for (const name of backends) {
  await useBackend(name, { allowSwitchWithTensors: true });
  const { list, dispose } = cases();
  results[name] = {};
  // The cpu backend is slow (tens of seconds a case): one run, no warm-up.
  const slow = name === 'cpu';
  for (const [label, fn] of Object.entries(list)) {
    if (only && !only.some((o) => label.includes(o))) continue;
    results[name][label] = await timed(fn, slow ? 1 : reps, slow);
    process.stderr.write(`${name} ${label}: ${results[name][label].toFixed(1)} ms\n`);
  }
  dispose();
}

let torch = null;
let torchSetup = null;
if (args['no-torch'] !== 'true') {
  try {
    torchSetup = torchConfig(torchSetupScript, torchThreads);
    torch = runTorch(torchBench, [torchThreads, reps], torchThreads);
  } catch (e) {
    console.error(`PyTorch reference unavailable (apt-get install python3-torch): ${e.message.split('\n')[0]}`);
  }
}

const labels = Object.keys(results[backends[0]]);
const header = ['case', ...backends.map((b) => `${b} ms`), ...(torch ? [`torch (${torchThreads} thr) ms`, ...backends.map((b) => `${b}/torch`)] : [])];
const rows = labels.map((l) => [
  l,
  ...backends.map((b) => results[b][l].toFixed(1)),
  ...(torch ? [torch[l]?.toFixed(1) ?? '–', ...backends.map((b) => (torch[l] ? (results[b][l] / torch[l]).toFixed(2) + '×' : '–'))] : []),
]);
if (torchSetup) {
  const { torch: version, threads, interopThreads, mkldnn, cpuCapability, blas, malloc } = torchSetup;
  console.log(`\nPyTorch ${version}: ${threads} threads (inter-op ${interopThreads}), oneDNN ${mkldnn ? 'on' : 'off'}, ${cpuCapability}, OMP_WAIT_POLICY=${torchEnv(torchThreads).OMP_WAIT_POLICY}, malloc ${malloc}, BLAS ${blas}`);
}
console.log(`\n| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log(`\nmedian of ${reps} runs after a warm-up (cpu: 1 run, no warm-up); tfjs ${tf.version_core}, Node ${process.version}`);
console.log(`wasm threads: ${env.wasm.numThreads ?? 1}; load average: ${loadavg().map((v) => v.toFixed(1)).join(' ')}`);
if (args.json === 'true') console.log(JSON.stringify({ threads: env.wasm.numThreads ?? 1, results, torch, torchSetup }));
