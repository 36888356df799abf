// Runs in Chromium: one training step of the compact encoder (batch norm with batch statistics and its
// closed-form gradient) on cpu and on webgpu, for browser-training.test.ts to compare.
import '@likeness/backends/cpu';
import '@likeness/backends/webgpu';
import { useBackend } from '@likeness/backends';
import * as tf from '@tensorflow/tfjs-core';
import { createCompactEncoder } from '@likeness/embeddings';

/** The loss, every trainable variable's gradient and the moving statistics after one step; tensors left behind. */
async function step(backend: 'cpu' | 'webgpu') {
  const choice = await useBackend(backend, { allowSwitchWithTensors: true });
  const enc = createCompactEncoder({ inputShape: [16, 12, 1], channels: [4, 8], embeddingSize: 6, seed: 21 });
  const x = tf.randomUniform([6, 16, 12, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
  const c = tf.randomUniform([6, 6], -1, 1, 'float32', 6);
  const vars = enc.trainableVariables();
  const before = tf.memory().numTensors;
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(enc.encode(x, { training: true }), c)) as tf.Scalar, vars);
  const out = {
    backend: choice.name,
    loss: (await value.data())[0]!,
    grads: await Promise.all(vars.map(async (v) => Array.from(await grads[v.name]!.data()))),
    moving: await Promise.all(enc.stateVariables().map(async (s) => Array.from(await s.variable.data()))),
  };
  tf.dispose([value, ...Object.values(grads)]);
  const leaked = tf.memory().numTensors - before;
  tf.dispose([x, c]);
  enc.dispose();
  return { ...out, leaked };
}

const w = window as unknown as { __likeness?: unknown };
try {
  const cpu = await step('cpu');
  const webgpu = await step('webgpu');
  w.__likeness = { cpu, webgpu };
} catch (e) {
  w.__likeness = { error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e) };
}
