import * as tf from '@tensorflow/tfjs-core';
import '../../dist/wasm.js';
import { env, useBackend } from '../../dist/index.js';
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
if (args.threads) env.wasm.numThreads = Number(args.threads);
await useBackend('wasm');
function time(name, f, reps = 3) {
  f();
  const c0 = process.cpuUsage(); const t0 = performance.now();
  for (let i = 0; i < reps; i++) f();
  const wall = (performance.now() - t0) / reps; const c = process.cpuUsage(c0);
  console.log(`${name}: wall ${wall.toFixed(1)} ms, cpu ${((c.user + c.system) / 1000 / reps).toFixed(1)} ms`);
}
const x = tf.randomNormal([1, 256, 256, 64], 0, 1, 'float32', 1);
const w = tf.mul(tf.randomNormal([3, 3, 64, 64], 0, 1, 'float32', 2), 0.05);
time('conv fwd scaled', () => tf.tidy(() => tf.conv2d(x, w, 1, 'same').dataSync()));
const w2 = tf.randomNormal([3, 3, 64, 64]);
time('conv fwd unscaled', () => tf.tidy(() => tf.conv2d(x, w2, 1, 'same').dataSync()));
const x2 = tf.randomNormal([1, 256, 256, 64]);
time('conv fwd x2 unscaled', () => tf.tidy(() => tf.conv2d(x2, w2, 1, 'same').dataSync()));
const a = tf.randomNormal([1024, 1024], 0, 1, 'float32', 3); const b = tf.randomNormal([1024, 1024], 0, 1, 'float32', 4);
time('matmul 1024', () => tf.tidy(() => tf.matMul(a, b).dataSync()));
console.log(tf.getBackend(), await tf.backend().constructor.name);
