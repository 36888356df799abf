/**
 * @likeness/backends — the one package that knows about tfjs backends.
 *
 * This entry has no side effects: it holds the plugin spec, the registry,
 * `useBackend()`, settings and the error classes shared by every likeness
 * package. The backends themselves are the side-effect entries
 * `@likeness/backends/cpu`, `/wasm` and `/webgpu`; plugin authors test with
 * `@likeness/backends/testing`.
 *
 * @module @likeness/backends
 */

// Choosing a backend
export { useBackend, DEFAULT_PREFERENCE } from './use-backend';
export type { BackendChoice, UseBackendOptions } from './use-backend';
export { ensureGradients } from './gradients';
export { ReluGrad, Relu6Grad } from './fused-gradient-kernels';

// Plugin spec and registry
export { registerLikenessBackend, listBackends, getLikenessBackend } from './registry';
export type { RegisteredBackend } from './registry';
export { SUPPORTED_SPECIFICATION_VERSIONS } from './spec/backend-v1';
export type { LikenessBackendV1 } from './spec/backend-v1';

// Settings
export { env } from './env';
export type { LikenessEnv } from './env';

// Errors (shared by every likeness package)
export { LikenessError } from './errors/likeness-error';
export { InvalidArgumentError } from './errors/invalid-argument-error';
export { ShapeError } from './errors/shape-error';
export { NoBackendAvailableError } from './errors/no-backend-available-error';
export type { BackendFailure } from './errors/no-backend-available-error';
export { BackendAlreadyInitializedError } from './errors/backend-already-initialized-error';
export { UnsupportedBackendError } from './errors/unsupported-backend-error';
export { WorkerThreadError } from './errors/worker-thread-error';

// Argument checks (throw the typed errors above; for packages and plugins)
export { assertTensor, assertNumber, assertOneOf, describeValue } from './argument-checks';
export type { NumberCheckOptions } from './argument-checks';
