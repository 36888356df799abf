import * as tf from '@tensorflow/tfjs-core';
import '/work/main/packages/backends/dist/cpu.js';
import { useBackend } from '/work/main/packages/backends/dist/index.js';
await useBackend('cpu');
const x = tf.randomNormal([2, 3, 3, 4]);
const m = tf.zeros([4]), v = tf.ones([4]);
try { const g = tf.grad((t) => tf.sum(tf.batchNorm(t, m, v)))(x); console.log('ok', g.shape); } catch (e) { console.log('ERR', e.stack.split('\n').slice(0, 6).join('\n')); }
try { const g = tf.grad((t) => tf.sum(tf.batchNorm(t, m, v, tf.zeros([4]), tf.ones([4]))))(tf.randomNormal([5, 4])); console.log('rank2 ok', g.shape); } catch (e) { console.log('rank2 ERR', e.message); }
