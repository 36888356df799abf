// The README's demo (until the sample apps take it over): which backends run
// here, which was chosen and why, and a conv2d forward + backward on each.
import * as tf from '@tensorflow/tfjs-core';
import '../packages/backends/dist/cpu.js';
import '../packages/backends/dist/wasm.js';
import '../packages/backends/dist/webgpu.js';
import { listBackends, useBackend } from '../packages/backends/dist/index.js';

tf.env().set('IS_TEST', true); // silences tfjs's "install tfjs-node" banner
const choice = await useBackend();
console.log(`chosen backend: ${choice.name}`);
for (const r of choice.refused) console.log(`  refused ${r.name}: ${r.reason}`);
for (const { backend } of listBackends()) {
  try {
    await useBackend(backend.name);
  } catch (e) {
    console.log(`${backend.name}: unavailable (${e.message.split('\n')[1]?.trim()})`);
    continue;
  }
  const x = tf.randomNormal([1, 64, 64, 16], 0, 1, 'float32', 1);
  const w = tf.randomNormal([3, 3, 16, 16], 0, 0.1, 'float32', 2);
  const t0 = performance.now();
  let status = 'ok';
  try {
    const [dx, dw] = tf.grads((a, b) => tf.sum(tf.square(tf.conv2d(a, b, 1, 'same'))))([x, w]);
    await dw.data();
    tf.dispose([dx, dw]);
  } catch (e) {
    status = `backward failed: ${e.message}`;
  }
  console.log(`${backend.name}: conv2d [1,64,64,16]x[3,3,16,16] forward+backward ${status} in ${(performance.now() - t0).toFixed(1)} ms`);
  tf.dispose([x, w]);
}
