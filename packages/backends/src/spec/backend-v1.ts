import type { LikenessEnv } from '../env';

/**
 * The contract a backend fulfils to be chosen by `useBackend()`.
 * Version 1. A plugin package exports one of these and passes it to
 * `registerLikenessBackend()`; the `do*` methods are called by likeness, not
 * by users.
 *
 * @example
 * ```ts
 * import { registerLikenessBackend, type LikenessBackendV1 } from '@likeness/backends';
 * const foo: LikenessBackendV1 = {
 *   specificationVersion: 'v1',
 *   name: 'foo',
 *   coreVersion: '4.22.0', // tfjs-core version the plugin was built against
 *   isSupported: () => typeof WebAssembly === 'object',
 *   doRegister: async () => { await import('tfjs-backend-foo'); },
 * };
 * registerLikenessBackend(foo, { priority: 2 });
 * ```
 */
export interface LikenessBackendV1 {
  /** Which version of this specification the plugin implements; registration refuses a version it does not know. */
  readonly specificationVersion: 'v1';
  /** The tfjs backend name that `tf.setBackend()` takes. Lower case. */
  readonly name: string;
  /**
   * The `@tensorflow/tfjs-core` version the plugin was built and tested
   * against (`tf.version_core` at build time). Registration refuses a plugin
   * whose major/minor differs from the running core.
   */
  readonly coreVersion: string;
  /** Whether this environment can run the backend (e.g. `navigator.gpu` exists). */
  isSupported(): boolean | Promise<boolean>;
  /**
   * Registers the tfjs backend and its kernels (`tf.registerBackend`,
   * `tf.registerKernel`). Called at most once, before the first use.
   */
  doRegister(): void | Promise<void>;
  /** Applies settings from `env` before the backend initialises. */
  doConfigure?(env: LikenessEnv): void | Promise<void>;
  /**
   * Turns the message of a failed initialisation (what tfjs warned or threw)
   * into advice for the user, e.g. which setting to change. Return
   * `undefined` to keep the message as it is.
   */
  explainFailure?(message: string): string | undefined;
  /** Whether training (gradients of conv, pooling, gather) is supported. Defaults to true. */
  readonly supportsTraining?: boolean;
}

/** Every specification version this release of `@likeness/backends` accepts. */
export const SUPPORTED_SPECIFICATION_VERSIONS = ['v1'] as const;
