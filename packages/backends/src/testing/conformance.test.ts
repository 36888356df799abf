import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../cpu';
import '../wasm';
import { describeBackendConformance } from './describe-backend-conformance';
import { runConformance, runConformanceCase } from './run-conformance';
import type { ConformanceCase } from './conformance-cases';

describeBackendConformance('cpu');
describeBackendConformance('wasm');

describe('runConformance', () => {
  it('reports every case for wasm, all within tolerance and leak-free', async () => {
    const report = await runConformance('wasm', { ops: ['conv2d', 'gather'] });
    expect(report.results.map((r) => r.op)).toEqual(['conv2d', 'conv2d', 'gather']);
    expect(report.ok).toBe(true);
  });

  it('catches a wrong result and a leak (the kit can fail)', async () => {
    // A case whose output differs between backends by construction.
    const wrong: ConformanceCase = {
      name: 'backend-dependent',
      op: 'test',
      tolerance: 1e-4,
      run: () => [tf.scalar(tf.getBackend() === 'cpu' ? 1 : 1.01)],
    };
    const r = await runConformanceCase('wasm', wrong);
    expect(r.ok).toBe(false);
    expect(r.maxError).toBeCloseTo(0.01, 5);
    let kept: tf.Tensor | undefined;
    const leaky: ConformanceCase = {
      name: 'leaky',
      op: 'test',
      tolerance: 1e-4,
      run: () => {
        if (tf.getBackend() === 'wasm') kept = tf.keep(tf.ones([2]));
        return [tf.zeros([1])];
      },
    };
    const l = await runConformanceCase('wasm', leaky);
    expect(l.leakedTensors).toBe(1);
    expect(l.ok).toBe(false);
    kept?.dispose();
  });

  it('explains an unregistered backend', async () => {
    await expect(runConformance('nosuchbackend')).rejects.toThrow(/not registered.*import/);
  });
});
