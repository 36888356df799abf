import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import '@likeness/backends/wasm';
import '@likeness/backends/webgpu';
import {
  BackendAlreadyInitializedError,
  InvalidArgumentError,
  LikenessError,
  NoBackendAvailableError,
  useBackend,
} from '@likeness/backends';

describe('useBackend', () => {
  it('falls through the default order and says why each earlier backend was refused', async () => {
    const choice = await useBackend();
    // Node has no navigator.gpu: webgpu is refused, wasm wins.
    expect(choice.name).toBe('wasm');
    expect(choice.tried.slice(0, 3)).toEqual(['webgpu', 'wasm', 'cpu']);
    expect(choice.refused).toHaveLength(1);
    expect(choice.refused[0]!.name).toBe('webgpu');
    expect(choice.refused[0]!.reason).toMatch(/not supported/);
    expect(tf.getBackend()).toBe('wasm');
  });

  it('collects every failure into one typed error', async () => {
    const err = await useBackend(['webgpu', 'nope']).catch((e: unknown) => e);
    expect(NoBackendAvailableError.isInstance(err)).toBe(true);
    expect(LikenessError.isInstance(err)).toBe(true);
    const e = err as NoBackendAvailableError;
    expect(e.failures.map((f) => f.name)).toEqual(['webgpu', 'nope']);
    expect(e.message).toMatch(/\[nope\] unknown backend "nope"/);
    expect(e.message).toMatch(/\[webgpu\] not supported/);
  });

  it('names the package of a first-party plugin that was not imported', async () => {
    const err = await useBackend(['onednn']).catch((e: unknown) => e);
    expect(NoBackendAvailableError.isInstance(err)).toBe(true);
    expect((err as NoBackendAvailableError).failures[0]).toEqual({
      name: 'onednn',
      reason: "not registered: install and import '@likeness/backend-onednn' before calling useBackend()",
    });
  });

  it('refuses a malformed preference with an error naming the argument', async () => {
    const err = await useBackend([42 as unknown as string]).catch((e: unknown) => e);
    expect(InvalidArgumentError.isInstance(err)).toBe(true);
    expect((err as InvalidArgumentError).argument).toBe('preference');
  });

  it('refuses to switch backends while tensors live on the current one', async () => {
    await useBackend('cpu');
    const t = tf.ones([2]);
    try {
      const err = await useBackend('wasm').catch((e: unknown) => e);
      expect(BackendAlreadyInitializedError.isInstance(err)).toBe(true);
      expect((err as Error).message).toMatch(/allowSwitchWithTensors/);
      expect(tf.getBackend()).toBe('cpu');
      const forced = await useBackend('wasm', { allowSwitchWithTensors: true });
      expect(forced.name).toBe('wasm');
      // tfjs moved the tensor's data over on use.
      expect(Array.from(t.dataSync())).toEqual([1, 1]);
    } finally {
      t.dispose();
    }
  });

  it('gives gradients of conv2d on cpu (tfjs-core registers none in Node)', async () => {
    await useBackend('cpu');
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const w = tf.tensor4d([1], [1, 1, 1, 1]);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'valid'))))([x, w]);
    // d/dx sum((x*w)^2) = 2·x·w², d/dw = 2·w·Σx²
    expect(Array.from(dx!.dataSync())).toEqual([2, 4, 6, 8]);
    expect(Array.from(dw!.dataSync())).toEqual([60]);
    tf.dispose([x, w, dx!, dw!]);
  });
});
