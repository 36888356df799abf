// Where the time of conv2d [1,256,256,64]×[3,3,64,64] forward + both gradients goes on wasm:
// wraps every registered wasm kernel with a timer (the wasm kernels are synchronous, so the
// time around a call is its compute) and prints the totals per kernel, nested calls included
// (a gradient kernel's total contains the wasm kernels it calls).
// Run: node bench/profile-conv-grads.mjs [--threads=2] [--reps=3]   (build first)
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import '../dist/wasm.js';
import { env, useBackend } from '../dist/index.js';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
if (args.threads) env.wasm.numThreads = Number(args.threads);
const reps = Number(args.reps ?? 3);
await useBackend('wasm');

const totals = new Map();
for (const k of tf.getKernelsForBackend('wasm')) {
  const inner = k.kernelFunc;
  k.kernelFunc = (a) => {
    const t0 = performance.now();
    try {
      return inner(a);
    } finally {
      const e = totals.get(k.kernelName) ?? { ms: 0, calls: 0 };
      e.ms += performance.now() - t0;
      e.calls++;
      totals.set(k.kernelName, e);
    }
  };
}
const x = tf.randomNormal([1, 256, 256, 64], 0, 1, 'float32', 1);
const w = tf.mul(tf.randomNormal([3, 3, 64, 64], 0, 1, 'float32', 2), 0.05);
const step = () => {
  const [dx, dw] = tf.grads((xx, ww) => tf.conv2d(xx, ww, 1, 'same'))([x, w]);
  dx.dataSync();
  dw.dataSync();
  tf.dispose([dx, dw]);
};
step(); // warm-up
totals.clear();
const t0 = performance.now();
for (let i = 0; i < reps; i++) step();
const wall = (performance.now() - t0) / reps;
console.log(`| kernel (nested calls included) | ms per step | calls per step |\n|---|---|---|`);
for (const [name, e] of [...totals].sort((a, b) => b[1].ms - a[1].ms)) {
  if (e.ms / reps >= 0.5) console.log(`| ${name} | ${(e.ms / reps).toFixed(1)} | ${e.calls / reps} |`);
}
console.log(`\nwall per step ${wall.toFixed(1)} ms; wasm threads ${env.wasm.numThreads ?? 1}; load average ${loadavg()[0].toFixed(1)}`);
