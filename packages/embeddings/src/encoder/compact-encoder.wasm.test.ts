import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import '@likeness/backends/wasm';
import { useBackend } from '@likeness/backends';
import { createCompactEncoder } from './compact-encoder';

/** Trains one Adam step on a backend and returns the loss and every variable afterwards. */
async function oneStep(backend: 'cpu' | 'wasm') {
  await useBackend(backend, { allowSwitchWithTensors: true });
  const enc = createCompactEncoder({ inputShape: [16, 12, 1], channels: [4, 8], embeddingSize: 6, seed: 21 });
  const x = tf.randomUniform([4, 16, 12, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
  const opt = tf.train.adam(1e-2);
  const loss = opt.minimize(() => {
    const e = enc.encode(x, { training: true });
    // pull rows 0/1 together, push 0/2 apart (a tiny contrastive objective)
    const d01 = tf.sum(tf.squaredDifference(tf.slice(e, [0, 0], [1, 6]), tf.slice(e, [1, 0], [1, 6])));
    const d02 = tf.sum(tf.squaredDifference(tf.slice(e, [0, 0], [1, 6]), tf.slice(e, [2, 0], [1, 6])));
    return tf.sub(d01, d02) as tf.Scalar;
  }, true, enc.trainableVariables())!;
  const out = { loss: loss.dataSync()[0]!, weights: enc.namedWeights().map((w) => Array.from(w.tensor.dataSync())) };
  tf.dispose([loss, x]);
  opt.dispose();
  enc.dispose();
  return out;
}

describe('compact encoder training on wasm', () => {
  it('a training step (forward, backward with batch norm, Adam) on wasm matches cpu', async () => {
    const cpu = await oneStep('cpu');
    const wasm = await oneStep('wasm');
    expect(wasm.loss).toBeCloseTo(cpu.loss, 4);
    cpu.weights.forEach((w, i) => w.forEach((v, k) => expect(wasm.weights[i]![k]).toBeCloseTo(v, 4)));
    // the step really moved the weights (Adam's first step changes each by ≈ lr)
    const init = createCompactEncoder({ inputShape: [16, 12, 1], channels: [4, 8], embeddingSize: 6, seed: 21 });
    const k0 = Array.from(init.namedWeights()[0]!.tensor.dataSync());
    expect(Math.max(...k0.map((v, k) => Math.abs(v - cpu.weights[0]![k]!)))).toBeGreaterThan(5e-3);
    init.dispose();
  });
});
