import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from './errors/invalid-argument-error';
import { UnsupportedBackendError } from './errors/unsupported-backend-error';
import { isCompatibleCore } from './internal/core-version';
import { SUPPORTED_SPECIFICATION_VERSIONS, type LikenessBackendV1 } from './spec/backend-v1';

/** A backend known to likeness, with its priority (higher is tried first). */
export interface RegisteredBackend {
  /** The plugin's descriptor, as passed to `registerLikenessBackend()`. */
  readonly backend: LikenessBackendV1;
  /** Order when the user gives no preference: higher is tried first; a negative priority is only used when named. */
  readonly priority: number;
}

interface RegistryState {
  backends: Map<string, RegisteredBackend>;
  registered: Map<string, Promise<void>>;
}

const KEY = Symbol.for('likeness.backends');

/** The registry lives on globalThis so that every copy of this package shares it (as tfjs does). */
function state(): RegistryState {
  const g = globalThis as unknown as Record<symbol, RegistryState | undefined>;
  return (g[KEY] ??= { backends: new Map(), registered: new Map() });
}

/**
 * Makes a backend available to `useBackend()`.
 *
 * @param backend - a `LikenessBackendV1` descriptor.
 * @param options.priority - order when the user gives no preference; higher first.
 *   Built-ins: webgpu 3, wasm 2, cpu 1. A negative priority is never chosen
 *   unless named explicitly. @defaultValue 1
 * @throws UnsupportedBackendError for an unknown `specificationVersion`, or a
 *   plugin built against another tfjs-core major/minor version.
 */
export function registerLikenessBackend(backend: LikenessBackendV1, options: { priority?: number } = {}): void {
  const fn = 'registerLikenessBackend';
  if (backend == null || typeof backend !== 'object') {
    throw new InvalidArgumentError({ fn, argument: 'backend', message: 'expected a LikenessBackendV1 object.' });
  }
  const name = (backend as { name?: unknown }).name;
  if (typeof name !== 'string' || name.length === 0 || name !== name.toLowerCase()) {
    throw new UnsupportedBackendError({
      backend: String(name),
      reason: 'invalid-descriptor',
      message: `${fn}: \`backend.name\` must be a non-empty lower-case string, got ${JSON.stringify(name)}.`,
    });
  }
  const version = (backend as { specificationVersion?: unknown }).specificationVersion;
  if (!(SUPPORTED_SPECIFICATION_VERSIONS as readonly unknown[]).includes(version)) {
    throw new UnsupportedBackendError({
      backend: name,
      reason: 'specification-version',
      message:
        `${fn}: backend "${name}" implements specification ${JSON.stringify(version)}, but this ` +
        `@likeness/backends supports ${SUPPORTED_SPECIFICATION_VERSIONS.join(', ')}. ` +
        `Upgrade @likeness/backends or use a plugin release for spec ${SUPPORTED_SPECIFICATION_VERSIONS.at(-1)}.`,
    });
  }
  for (const method of ['isSupported', 'doRegister'] as const) {
    if (typeof (backend as unknown as Record<string, unknown>)[method] !== 'function') {
      throw new UnsupportedBackendError({
        backend: name,
        reason: 'invalid-descriptor',
        message: `${fn}: backend "${name}" has no \`${method}()\` method; a LikenessBackendV1 needs isSupported() and doRegister().`,
      });
    }
  }
  if (typeof backend.coreVersion !== 'string' || !isCompatibleCore(backend.coreVersion, tf.version_core)) {
    throw new UnsupportedBackendError({
      backend: name,
      reason: 'core-version',
      message:
        `${fn}: backend "${name}" was built against @tensorflow/tfjs-core ${String(backend.coreVersion)}, ` +
        `but ${tf.version_core} is running. Install a plugin release built for tfjs-core ${tf.version_core}, ` +
        `and make sure only one copy of @tensorflow/tfjs-core is installed (\`pnpm why @tensorflow/tfjs-core\`).`,
    });
  }
  const priority = options.priority ?? 1;
  if (!Number.isFinite(priority)) {
    throw new InvalidArgumentError({ fn, argument: 'options.priority', message: `expected a finite number, got ${priority}.` });
  }
  const existing = state().backends.get(name);
  if (existing && existing.backend !== backend && existing.priority === priority) {
    throw new UnsupportedBackendError({
      backend: name,
      reason: 'invalid-descriptor',
      message: `${fn}: a different backend is already registered as "${name}" at priority ${priority}. Use another name or priority.`,
    });
  }
  if (!existing || priority >= existing.priority) state().backends.set(name, { backend, priority });
}

/** Every registered backend, highest priority first. */
export function listBackends(): RegisteredBackend[] {
  return [...state().backends.values()].sort((a, b) => b.priority - a.priority);
}

/** The registered descriptor for `name`, if any. */
export function getLikenessBackend(name: string): RegisteredBackend | undefined {
  return state().backends.get(name);
}

/** Runs `doRegister()` once per backend; later calls share the promise. */
export function ensureRegistered(backend: LikenessBackendV1): Promise<void> {
  const s = state();
  let p = s.registered.get(backend.name);
  if (!p) {
    p = Promise.resolve().then(() => backend.doRegister());
    s.registered.set(backend.name, p);
    p.catch(() => s.registered.delete(backend.name));
  }
  return p;
}
