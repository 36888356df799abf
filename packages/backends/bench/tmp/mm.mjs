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
const a = tf.randomNormal([1024, 1024]); const b = tf.randomNormal([1024, 1024]);
time('matmul 1024', () => tf.tidy(() => { tf.matMul(a, b).dataSync(); }));
const x = tf.randomNormal([1, 256, 256, 64]); const w = tf.randomNormal([3, 3, 64, 64]);
time('conv fwd', () => tf.tidy(() => { tf.conv2d(x, w, 1, "same").dataSync(); }));
// filter grad shapes
const K = 66000;
const A = tf.randomNormal([64, K]); const B = tf.randomNormal([K, 64]);
time('9x mm [64,K]x[K,64]', () => tf.tidy(() => { for (let i = 0; i < 9; i++) tf.matMul(A, B).dataSync(); }));
const A5 = tf.randomNormal([576, K]);
time('1x mm [576,K]x[K,64]', () => tf.tidy(() => { tf.matMul(A5, B).dataSync(); }));
for (const kc of [512, 1024, 2048, 4096]) {
  const n = Math.floor(K / kc);
  const As = tf.randomNormal([576, kc]); const Bs = Array.from({ length: n }, () => tf.randomNormal([kc, 64]));
  time(`chunked mm kc=${kc} x${n}`, () => tf.tidy(() => { for (const Bc of Bs) tf.matMul(As, Bc).dataSync(); }));
  const Ac = tf.reshape(As, [1, 1, 576, kc]);
  const Fs = Bs.map((Bc) => tf.reshape(Bc, [1, 1, kc, 64]));
  time(`chunked conv1x1 kc=${kc} x${n}`, () => tf.tidy(() => { for (const F of Fs) tf.conv2d(Ac, F, 1, 'valid').dataSync(); }));
  tf.dispose([As, ...Bs, Ac, ...Fs]);
}
