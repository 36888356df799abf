import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import '@likeness/backends/wasm';
import { useBackend } from '@likeness/backends';
import { augmentFaces } from './augment-faces';

async function run(backend: 'cpu' | 'wasm'): Promise<number[]> {
  await useBackend(backend, { allowSwitchWithTensors: true });
  const x = tf.randomUniform([5, 28, 23, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
  const y = augmentFaces(x, { seed: 9, maxShift: 1, rotation: 10, scale: 0.1, brightness: 0.1, fill: 'edge' });
  const out = Array.from(y.dataSync());
  tf.dispose([x, y]);
  return out;
}

describe('augmentFaces on wasm', () => {
  it('rotation + zoom + edge fill (bilinear Transform on wasm) equals cpu', async () => {
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    expect(wasm.length).toBe(cpu.length);
    let worst = 0;
    cpu.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - wasm[i]!)); });
    expect(worst).toBeLessThan(1e-4);
  });
});
