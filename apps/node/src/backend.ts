import * as tf from '@tensorflow/tfjs-core';
import '@likeness/backends/wasm';
import '@likeness/backends/cpu';
import '@likeness/backends/webgpu';
import { listBackends, NoBackendAvailableError, useBackend, type BackendChoice } from '@likeness/backends';
import { CliError, EXIT } from './errors';

/** Backend names the CLI accepts; `auto` tries webgpu → onednn → wasm → cpu. */
export const BACKEND_CHOICES = ['auto', 'webgpu', 'onednn', 'wasm', 'cpu'] as const;
export type BackendFlag = (typeof BACKEND_CHOICES)[number];

/**
 * The optional native plugin: oneDNN (PyTorch's CPU kernels), preferred over wasm where it loads,
 * for every command (stylize and train included): its bench measured it faster than wasm in each
 * workload (packages/backend-onednn README, "What auto picks").
 */
const ONEDNN_PACKAGE = '@likeness/backend-onednn';

let plugins: Promise<{ name: string; reason: string }[]> | undefined;

/**
 * Registers the optional plugins that are installed (importing one only
 * registers it; its native addon loads when `useBackend()` tries it, and a
 * machine without oneDNN gets wasm and the reason). Returns the plugins that
 * are not installed, with what to do, for `likeness backends`.
 */
export function loadOptionalPlugins(): Promise<{ name: string; reason: string }[]> {
  return (plugins ??= import(ONEDNN_PACKAGE).then(
    () => [],
    (error: unknown) => [
      {
        name: 'onednn',
        reason: `${ONEDNN_PACKAGE} is not installed (${(error as Error).message.split('\n')[0]}): npm i ${ONEDNN_PACKAGE} for PyTorch-speed CPU kernels`,
      },
    ],
  ));
}

// tfjs prints a banner suggesting tfjs-node on first use; the CLI reports its backend itself.
tf.env().set('IS_TEST', true);

/**
 * Activates the backend named by `--backend` (or the best available).
 * @throws CliError(EXIT.backend) with every backend's refusal when none runs.
 */
export async function selectBackend(flag: string = 'auto'): Promise<BackendChoice> {
  if (!(BACKEND_CHOICES as readonly string[]).includes(flag)) {
    throw new CliError(`unknown backend "${flag}": choose one of ${BACKEND_CHOICES.join(', ')}`, EXIT.usage);
  }
  await loadOptionalPlugins();
  try {
    return await useBackend(flag === 'auto' ? undefined : flag);
  } catch (error) {
    if (NoBackendAvailableError.isInstance(error)) {
      const reasons = error.failures.map((f) => `${f.name}: ${f.reason}`).join('; ');
      throw new CliError(`backend ${flag} cannot run here (${reasons}); try --backend wasm or --backend cpu`, EXIT.backend, {
        cause: error,
      });
    }
    throw error;
  }
}

/** One line per registered backend: whether it initialises here, and why not. */
export async function probeBackends(): Promise<{ name: string; ok: boolean; reason?: string }[]> {
  const missing = await loadOptionalPlugins();
  const out: { name: string; ok: boolean; reason?: string }[] = missing.map(({ name, reason }) => ({ name, ok: false, reason }));
  for (const { backend } of listBackends()) {
    try {
      await useBackend(backend.name, { allowSwitchWithTensors: true });
      const y = tf.tidy(() => {
        const x = tf.tensor1d([1, 2, 3]);
        return tf.sum(tf.mul(x, x));
      });
      const v = (await y.data())[0];
      y.dispose();
      out.push(v === 14 ? { name: backend.name, ok: true } : { name: backend.name, ok: false, reason: `1²+2²+3² gave ${v}` });
    } catch (error) {
      const failures = NoBackendAvailableError.isInstance(error) ? error.failures : [];
      out.push({ name: backend.name, ok: false, reason: failures[0]?.reason ?? (error as Error).message });
    }
  }
  return out;
}
