import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';

/** The built-in config a wrapper delegates to, stored on the wrapper (works across package copies). */
const BUILTIN = Symbol.for('likeness.wasm.builtin-kernel');

/**
 * A wasm kernel config that replaces tfjs-backend-wasm's `kernelName` with
 * `wrap(builtin)` — a kernel that handles some cases itself and hands the rest
 * to the built-in one — keeping the built-in `setupFunc` (run when the backend
 * starts). Wrapping again (registration is idempotent) wraps the original
 * built-in, never a wrapper. `marker` (a `Symbol.for` key) is set to true on
 * the config, so tests can tell it is registered.
 *
 * @example
 * ```ts
 * tf.registerKernel(wrapBuiltinKernel('Slice', 'likeness.wasm.slice', (builtin) => (args) => builtin.kernelFunc(args)));
 * ```
 */
export function wrapBuiltinKernel(kernelName: string, marker: string, wrap: (builtin: KernelConfig) => KernelFunc): KernelConfig {
  const current = tf.getKernel(kernelName, 'wasm') as (KernelConfig & { [BUILTIN]?: KernelConfig }) | undefined;
  if (current == null) throw new Error(`@likeness/backends: wasm kernel ${kernelName} is not registered`);
  const builtin = current[BUILTIN] ?? current;
  return {
    kernelName,
    backendName: 'wasm',
    setupFunc: builtin.setupFunc,
    kernelFunc: wrap(builtin),
    [BUILTIN]: builtin,
    [Symbol.for(marker)]: true,
  } as KernelConfig;
}
