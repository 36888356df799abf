import * as tf from '@tensorflow/tfjs-core';
import { CONFORMANCE_CASES, type ConformanceCase } from './conformance-cases';

/** Options of `runConformance()` and `describeBackendConformance()`. */
export interface ConformanceOptions {
  /** Backend giving the reference values. @defaultValue 'cpu' */
  reference?: string;
  /** Multiplies every case's tolerance (e.g. 10 for a float16 GPU backend). @defaultValue 1 */
  toleranceScale?: number;
  /** Only cases whose `op` is listed. @defaultValue every case */
  ops?: readonly string[];
  /** Cases to skip by exact name, with the reason reported in the result. @defaultValue {} */
  skip?: Readonly<Record<string, string>>;
}

/** The outcome of one case. */
export interface ConformanceResult {
  /** The case's unique name (what `options.skip` takes). */
  name: string;
  /** The tfjs kernel the case exercises (what `options.ops` filters on). */
  op: string;
  /** Largest |backend − reference| / max(1, |reference|∞) over all outputs. */
  maxError: number;
  /** The largest `maxError` that passes: the case's own tolerance × `options.toleranceScale`. */
  tolerance: number;
  /** Tensors and backend data left behind by the case on the backend under test. */
  leakedTensors: number;
  /** Backend data buffers (`tf.engine().backend.numDataIds()`) left behind by the case. */
  leakedDataIds: number;
  /** The error thrown by the backend, if any. */
  error?: string;
  /** Why the case was skipped (listed in `options.skip`). */
  skipped?: string;
  /** Within tolerance, nothing leaked and nothing thrown (or skipped). */
  ok: boolean;
}

/** The outcome of `runConformance()`. */
export interface ConformanceReport {
  /** The backend under test (`runConformance()`'s first argument). */
  backend: string;
  /** The backend that gave the reference values. */
  reference: string;
  /** Every case passed (or was skipped). */
  ok: boolean;
  /** One result per case, in the kit's order. */
  results: ConformanceResult[];
}

async function switchTo(name: string): Promise<void> {
  if (tf.getBackend() === name) return;
  if (tf.engine().registryFactory[name] == null) {
    throw new Error(
      `runConformance: backend "${name}" is not registered with tfjs; import '@likeness/backends/${name}' ` +
        `(or your plugin) and call useBackend('${name}') first.`,
    );
  }
  if (!(await tf.setBackend(name))) throw new Error(`runConformance: backend "${name}" failed to initialise.`);
  await tf.ready();
}

async function outputs(c: ConformanceCase): Promise<Float32Array[]> {
  const list = tf.tidy(() => c.run());
  try {
    return await Promise.all(list.map(async (t) => Float32Array.from(await t.data())));
  } finally {
    tf.dispose(list);
  }
}

function relError(got: Float32Array[], want: Float32Array[]): number {
  if (got.length !== want.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let k = 0; k < want.length; k++) {
    const a = got[k]!;
    const b = want[k]!;
    if (a.length !== b.length) return Number.POSITIVE_INFINITY;
    let scale = 1;
    for (const v of b) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < a.length; i++) {
      const e = Math.abs(a[i]! - b[i]!) / scale;
      if (!(e <= worst)) worst = Number.isNaN(e) ? Number.POSITIVE_INFINITY : e;
    }
  }
  return worst;
}

/** The conformance cases `options` selects. */
export function selectConformanceCases(options: ConformanceOptions = {}): ConformanceCase[] {
  return CONFORMANCE_CASES.filter((c) => !options.ops || options.ops.includes(c.op));
}

/**
 * Runs one conformance case on `backend` and on the reference backend.
 * Leaves the backend under test active.
 */
export async function runConformanceCase(
  backend: string,
  c: ConformanceCase,
  options: ConformanceOptions = {},
): Promise<ConformanceResult> {
  const reference = options.reference ?? 'cpu';
  const tolerance = c.tolerance * (options.toleranceScale ?? 1);
  const skipped = options.skip?.[c.name];
  const base = { name: c.name, op: c.op, tolerance, leakedTensors: 0, leakedDataIds: 0 };
  if (skipped !== undefined) return { ...base, maxError: 0, skipped, ok: true };
  await switchTo(reference);
  const want = await outputs(c);
  await switchTo(backend);
  const tensorsBefore = tf.memory().numTensors;
  const idsBefore = tf.engine().backend.numDataIds();
  try {
    const got = await outputs(c);
    const maxError = relError(got, want);
    const leakedTensors = tf.memory().numTensors - tensorsBefore;
    const leakedDataIds = tf.engine().backend.numDataIds() - idsBefore;
    return {
      ...base,
      maxError,
      leakedTensors,
      leakedDataIds,
      ok: maxError <= tolerance && leakedTensors === 0 && leakedDataIds === 0,
    };
  } catch (e) {
    return { ...base, maxError: Number.POSITIVE_INFINITY, error: e instanceof Error ? e.message : String(e), ok: false };
  }
}

/**
 * Runs every op and gradient the likeness packages use on `backend` and on
 * the cpu backend from identical inputs, and reports the differences and any
 * tensor leaks. Plain async function: usable in a browser page without vitest.
 * Both backends must be registered (`import '@likeness/backends/cpu'`).
 *
 * @example
 * ```ts
 * import '@likeness/backends/cpu';
 * import '@likeness/backends/webgpu';
 * import { runConformance } from '@likeness/backends/testing';
 * const report = await runConformance('webgpu');
 * report.ok;          // true when every case is within tolerance and leak-free
 * report.results[0];  // { name: 'conv2d stride 1 same: forward + dx + dW', maxError: 3e-7, … }
 * ```
 */
export async function runConformance(backend: string, options: ConformanceOptions = {}): Promise<ConformanceReport> {
  const results: ConformanceResult[] = [];
  for (const c of selectConformanceCases(options)) results.push(await runConformanceCase(backend, c, options));
  await switchTo(backend);
  return { backend, reference: options.reference ?? 'cpu', ok: results.every((r) => r.ok), results };
}
