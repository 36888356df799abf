// node wasm-threads.mjs <numThreads>: conv2d + gradients on the built wasm entry; prints JSON and must exit by itself.
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import '../../dist/wasm.js';
import { env, useBackend } from '../../dist/index.js';

env.wasm.numThreads = Number(process.argv[2]);
await useBackend('wasm');
const x = tf.randomUniform([1, 32, 32, 16], -1, 1, 'float32', 1);
const w = tf.randomUniform([3, 3, 16, 16], -1, 1, 'float32', 2);
const [dx, dw] = tf.grads((a, b) => tf.sum(tf.square(tf.conv2d(a, b, 1, 'same'))))([x, w]);
const y = tf.conv2d(x, w, 1, 'same');
const values = [...(await y.data()), ...(await dx.data()), ...(await dw.data())];
console.log(JSON.stringify({ threads: getThreadsCount(), values }));
