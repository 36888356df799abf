import * as tf from '@tensorflow/tfjs-core';
import { env } from './env';
import { BackendAlreadyInitializedError } from './errors/backend-already-initialized-error';
import { InvalidArgumentError } from './errors/invalid-argument-error';
import { NoBackendAvailableError, type BackendFailure } from './errors/no-backend-available-error';
import { ensureGradients } from './gradients';
import { ensureRegistered, getLikenessBackend, listBackends } from './registry';

/** The order tried when no preference is given and nothing else is registered. */
export const DEFAULT_PREFERENCE = ['webgpu', 'wasm', 'cpu'] as const;

/**
 * First-party plugin packages by backend name: naming one that was never
 * imported gets "import '<package>'" advice rather than "unknown backend".
 * `onednn` is the one to prefer in Node (PyTorch's CPU kernels); it registers
 * above wasm, so `useBackend()` picks it once imported and falls back to wasm,
 * with the reason, where oneDNN is not installed.
 */
const PLUGIN_PACKAGES: Readonly<Record<string, string>> = {
  onednn: '@likeness/backend-onednn',
  webgl: '@likeness/backend-webgl',
};

/** What `useBackend()` chose, and why each backend before it was refused. */
export interface BackendChoice {
  /** The backend now active (`tf.getBackend()`). */
  name: string;
  /** The order that was tried. */
  tried: string[];
  /** Backends tried before `name` and refused, with the reason. */
  refused: BackendFailure[];
}

/** Options of {@link useBackend}. */
export interface UseBackendOptions {
  /**
   * Switch even though tensors still live on the current backend (tfjs then
   * copies each one over on first use, which is slow). @defaultValue false
   */
  allowSwitchWithTensors?: boolean;
}

function captureWarnings<T>(run: () => Promise<T>): Promise<{ value: T; warnings: string[] }> {
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => {
    warnings.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
  };
  return run().then(
    (value) => {
      console.warn = original;
      return { value, warnings };
    },
    (e: unknown) => {
      console.warn = original;
      throw e;
    },
  );
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim().length > 0)?.trim() ?? text;
}

/**
 * Chooses and initialises a backend.
 *
 * Tries each name of `preference` in order (default: every registered backend
 * by priority, i.e. webgpu → wasm → cpu) and activates the first that is
 * supported here and initialises. Registers tfjs-core's gradients, so
 * training works whichever backend wins.
 *
 * @example
 * ```ts
 * import '@likeness/backends/wasm';
 * import '@likeness/backends/cpu';
 * import { useBackend } from '@likeness/backends';
 * const choice = await useBackend(['webgpu', 'wasm', 'cpu']);
 * choice.name;    // 'wasm' in Node
 * choice.refused; // [{ name: 'webgpu', reason: 'not registered: import "@likeness/backends/webgpu" first' }]
 * ```
 * @throws NoBackendAvailableError listing every failure when none works.
 * @throws BackendAlreadyInitializedError when tensors exist on another backend.
 */
export async function useBackend(
  preference?: string | readonly string[],
  options: UseBackendOptions = {},
): Promise<BackendChoice> {
  const fn = 'useBackend';
  const list =
    preference === undefined
      ? listBackends()
          .filter((b) => b.priority >= 0)
          .map((b) => b.backend.name)
      : typeof preference === 'string'
        ? [preference]
        : [...preference];
  if (!Array.isArray(list) || list.some((n) => typeof n !== 'string' || n.length === 0)) {
    throw new InvalidArgumentError({
      fn,
      argument: 'preference',
      message: `expected a backend name or an array of names (e.g. ['webgpu', 'wasm', 'cpu']), got ${JSON.stringify(preference)}.`,
    });
  }
  if (list.length === 0) {
    throw new NoBackendAvailableError([
      { name: '(none)', reason: 'no backend is registered: import one of @likeness/backends/{webgpu,wasm,cpu}' },
    ]);
  }
  ensureGradients();
  const engine = tf.engine();
  const refused: BackendFailure[] = [];
  for (const name of list) {
    const registered = getLikenessBackend(name);
    const knownToTfjs = engine.registryFactory[name] != null;
    if (!registered && !knownToTfjs) {
      const builtin = (DEFAULT_PREFERENCE as readonly string[]).includes(name);
      refused.push({
        name,
        reason: builtin
          ? `not registered: import '@likeness/backends/${name}' before calling useBackend()`
          : PLUGIN_PACKAGES[name]
            ? `not registered: install and import '${PLUGIN_PACKAGES[name]}' before calling useBackend()`
            : `unknown backend "${name}": no plugin registered it (registered: ${listBackends()
              .map((b) => b.backend.name)
              .join(', ') || 'none'})`,
      });
      continue;
    }
    const current = engine.backendName;
    if (current === name) {
      // Settings changed since the backend started are refused here (BackendAlreadyInitializedError).
      await registered?.backend.doConfigure?.(env);
      await tf.ready();
      return { name, tried: list, refused };
    }
    if (current != null && tf.memory().numTensors > 0 && !options.allowSwitchWithTensors) {
      throw new BackendAlreadyInitializedError({
        backend: current,
        message:
          `${fn}: ${tf.memory().numTensors} tensors live on backend "${current}"; switching to "${name}" now ` +
          `would copy each on first use. Call useBackend() before creating tensors, dispose them first, ` +
          `or pass { allowSwitchWithTensors: true }.`,
      });
    }
    try {
      if (registered) {
        const supported = await registered.backend.isSupported();
        if (!supported) {
          refused.push({ name, reason: 'not supported in this environment' });
          continue;
        }
        await ensureRegistered(registered.backend);
        await registered.backend.doConfigure?.(env);
      }
      const { value: ok, warnings } = await captureWarnings(() => tf.setBackend(name));
      if (!ok) {
        const detail = warnings.filter((w) => !/^Initialization of backend/.test(w)).map(firstLine).join('; ');
        const advice = registered?.backend.explainFailure?.(detail);
        refused.push({ name, reason: advice ?? `initialisation failed${detail ? ': ' + detail : ''}` });
        continue;
      }
      await tf.ready();
      return { name, tried: list, refused };
    } catch (error) {
      if (BackendAlreadyInitializedError.isInstance(error)) throw error;
      const message = firstLine(error instanceof Error ? error.message : String(error));
      refused.push({ name, reason: registered?.backend.explainFailure?.(message) ?? message, error });
    }
  }
  throw new NoBackendAvailableError(refused);
}
