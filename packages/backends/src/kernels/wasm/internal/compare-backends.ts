// Test helpers: run the same computation on cpu and wasm from identical inputs.
import * as tf from '@tensorflow/tfjs-core';

export { seededValues } from '../../../testing/seeded-values';

/** Runs `fn` on `backend` and returns every output as a plain Float32Array (nothing left allocated). */
export async function runOn(backend: string, fn: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const outs = tf.tidy(fn);
  const list = Array.isArray(outs) ? outs : [outs];
  const data = list.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(list);
  return data;
}

/** Largest |a − b| relative to max(1, |b|∞). */
export function maxRelDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let scale = 1;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= worst)) worst = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
  }
  return worst / scale;
}

/** Runs `fn` on cpu and on wasm and returns the worst relative difference over all outputs. */
export async function cpuVsWasm(fn: () => tf.Tensor | tf.Tensor[]): Promise<{ cpu: Float32Array[]; wasm: Float32Array[]; diff: number }> {
  const cpu = await runOn('cpu', fn);
  const wasm = await runOn('wasm', fn);
  let diff = cpu.length === wasm.length ? 0 : Number.POSITIVE_INFINITY;
  for (let i = 0; i < cpu.length; i++) diff = Math.max(diff, maxRelDiff(wasm[i]!, cpu[i]!));
  return { cpu, wasm, diff };
}
