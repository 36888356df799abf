import * as tf from '@tensorflow/tfjs-core';
import '../../dist/wasm.js';
import { env, useBackend } from '../../dist/index.js';
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
if (args.threads) env.wasm.numThreads = Number(args.threads);
await useBackend('wasm');
const x = tf.randomNormal([1, 256, 256, 64], 0, 1, 'float32', 1);
const w = tf.mul(tf.randomNormal([3, 3, 64, 64], 0, 1, 'float32', 2), 0.05);
for (let i = 0; i < 3; i++) {
  const c0 = process.cpuUsage(); const t0 = performance.now();
  const y = tf.conv2d(x, w, 1, 'same'); y.dataSync();
  const c = process.cpuUsage(c0);
  console.log('conv', (performance.now() - t0).toFixed(0), ((c.user + c.system) / 1000).toFixed(0)); y.dispose();
}
for (let i = 0; i < 2; i++) {
  const c0 = process.cpuUsage(); const t0 = performance.now();
  const [dx, dw] = tf.grads((xx, ww) => tf.conv2d(xx, ww, 1, 'same'))([x, w]); dx.dataSync(); dw.dataSync();
  const c = process.cpuUsage(c0);
  console.log('grads', (performance.now() - t0).toFixed(0), ((c.user + c.system) / 1000).toFixed(0)); tf.dispose([dx, dw]);
}
for (let i = 0; i < 3; i++) {
  const c0 = process.cpuUsage(); const t0 = performance.now();
  const y = tf.conv2d(x, w, 1, 'same'); y.dataSync();
  const c = process.cpuUsage(c0);
  console.log('conv', (performance.now() - t0).toFixed(0), ((c.user + c.system) / 1000).toFixed(0)); y.dispose();
}
