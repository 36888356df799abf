// Its own file: the wasm backend initialises once per process, here with 2 threads on worker_threads.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import '../src/cpu';
import '../src/wasm';
import { env, useBackend } from '../src/index';
import { expectNoLeaks } from '../src/testing';

function seeded(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, 'float32', seed);
}

async function onBackend(name: string, f: () => tf.Tensor[]): Promise<Float32Array[]> {
  await useBackend(name, { allowSwitchWithTensors: true });
  const out = f();
  const values = await Promise.all(out.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(out);
  return values;
}

describe('wasm with env.wasm.numThreads = 2 in Node (worker_threads pthreads)', () => {
  beforeAll(async () => {
    env.wasm.numThreads = 2;
    expect((await useBackend('wasm')).name).toBe('wasm');
  });

  it('runs XNNPACK on 2 threads', () => {
    expect(getThreadsCount()).toBe(2);
  });

  it('gives conv2d, its gradients and matMul as cpu does (large enough to be split across threads)', async () => {
    const run = () =>
      tf.tidy(() => {
        const x = seeded([2, 24, 24, 16], 1);
        const w = seeded([3, 3, 16, 32], 2);
        const a = seeded([200, 150], 3);
        const b = seeded([150, 120], 4);
        const [dx, dw] = tf.grads((xx: tf.Tensor, ww: tf.Tensor) =>
          tf.sum(tf.square(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 2, 'same'))),
        )([x, w]);
        return [tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), dx!, dw!, tf.matMul(a, b)];
      });
    const wasm = await onBackend('wasm', run);
    const cpu = await onBackend('cpu', run);
    await useBackend('wasm', { allowSwitchWithTensors: true });
    for (let i = 0; i < cpu.length; i++) {
      const ref = cpu[i]!;
      const scale = Math.max(...ref.map(Math.abs));
      const err = Math.max(...wasm[i]!.map((v, j) => Math.abs(v - ref[j]!)));
      expect(err / scale, `output ${i}`).toBeLessThan(1e-4);
    }
  });

  it('leaks no tensors', async () => {
    await expectNoLeaks(() => {
      const x = seeded([1, 16, 16, 8], 5);
      const w = seeded([3, 3, 8, 8], 6);
      tf.dispose([tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), x, w]);
    });
  });

  it('lets a plain Node process exit by itself, with the same numbers as one thread', () => {
    const script = fileURLToPath(new URL('./dist-fixtures/wasm-threads.mjs', import.meta.url));
    const dist = fileURLToPath(new URL('../dist/wasm.js', import.meta.url));
    if (!existsSync(dist)) throw new Error('packages/backends/dist is missing: run `pnpm --filter @likeness/backends build` first');
    const run = (threads: number) =>
      JSON.parse(
        execFileSync(process.execPath, [script, String(threads)], { encoding: 'utf8', timeout: 60_000 }).trim().split('\n').at(-1)!,
      ) as { threads: number; values: number[] };
    const two = run(2); // a hang would hit the 60 s timeout and throw
    const one = run(1);
    expect(two.threads).toBe(2);
    expect(one.threads).toBe(1);
    expect(two.values).toEqual(one.values); // bit-identical
  });
});
