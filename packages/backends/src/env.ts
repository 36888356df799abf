/**
 * Settings read by the built-in backends before they initialise. Change them
 * before `useBackend()`; changing a wasm setting after wasm started throws
 * `BackendAlreadyInitializedError`.
 */
export interface LikenessEnv {
  /** The wasm backend's settings, read when it starts. */
  wasm: {
    /**
     * Where the `.wasm` binaries are: a URL/path prefix ending in `/`, or a
     * map from file name (`tfjs-backend-wasm.wasm`, `tfjs-backend-wasm-simd.wasm`,
     * `tfjs-backend-wasm-threaded-simd.wasm`) to URL (Vite: `import u from '…?url'`).
     * @defaultValue undefined — Node finds them next to the package; browsers
     * load them relative to the bundle.
     */
    wasmPaths?: string | Record<string, string>;
    /**
     * Threads for the wasm backend (XNNPACK's pool, at most 8). Browsers: only
     * takes effect where threaded wasm can run (a cross-origin-isolated page).
     * Node: 2 or more opts in to threads on `worker_threads` (tfjs 4.22 turns
     * them off in Node; `@likeness/backends` starts them itself — 8 idle
     * workers, `unref()`ed, so the process still exits).
     * @defaultValue undefined (browsers: tfjs picks navigator.hardwareConcurrency / 2; Node: 1)
     */
    numThreads?: number;
  };
  /** The WebGPU backend's settings, read when it requests its adapter. */
  webgpu: {
    /** Which GPU the browser should pick where it has several. @defaultValue 'high-performance' */
    powerPreference?: 'low-power' | 'high-performance';
  };
  /** Versions of the likeness packages and the running tfjs-core, filled in at import. */
  versions: Record<string, string>;
}

const KEY = Symbol.for('likeness.env');

function makeEnv(): LikenessEnv {
  return { wasm: {}, webgpu: { powerPreference: 'high-performance' }, versions: {} };
}

/** The one global settings object (shared by every copy of this package). */
export const env: LikenessEnv = (() => {
  const g = globalThis as unknown as Record<symbol, LikenessEnv | undefined>;
  return (g[KEY] ??= makeEnv());
})();
