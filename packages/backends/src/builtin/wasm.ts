import * as tf from '@tensorflow/tfjs-core';
import { setThreadsCount, setWasmPaths, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import type { LikenessEnv } from '../env';
import { BackendAlreadyInitializedError } from '../errors/backend-already-initialized-error';
import { enableNodeWasmThreads } from '../internal/node-wasm-threads';
import { registerWasmGapKernels } from '../kernels/wasm/register-wasm-kernels';
import type { LikenessBackendV1 } from '../spec/backend-v1';

let configured: string | undefined;

/** WebAssembly (XNNPACK, SIMD) through @tensorflow/tfjs-backend-wasm, with the training kernels it lacks. */
export const wasmBackend: LikenessBackendV1 = {
  specificationVersion: 'v1',
  name: 'wasm',
  coreVersion: version_wasm,
  isSupported: () => typeof WebAssembly === 'object' && typeof WebAssembly.instantiate === 'function',
  doRegister() {
    registerWasmGapKernels();
  },
  explainFailure(message: string) {
    if (!/\.wasm\b|ENOENT|fetch|WebAssembly|Aborted/i.test(message)) return undefined;
    const file = /([\w./:-]*tfjs-backend-wasm[\w-]*\.wasm)/.exec(message)?.[1];
    return (
      `the wasm binary could not be loaded${file ? ` (${file})` : ''}: set env.wasm.wasmPaths to the directory ` +
      `or URL prefix (ending in '/') that serves tfjs-backend-wasm.wasm, tfjs-backend-wasm-simd.wasm and ` +
      `tfjs-backend-wasm-threaded-simd.wasm (or to a map of file name → URL), before the first useBackend() call. ` +
      `tfjs said: ${message.slice(0, 300)}`
    );
  },
  async doConfigure(env: LikenessEnv) {
    const key = JSON.stringify([env.wasm.wasmPaths, env.wasm.numThreads]);
    const started = tf.engine().registry.wasm != null;
    if (started) {
      if (configured !== undefined && configured !== key) {
        throw new BackendAlreadyInitializedError({
          backend: 'wasm',
          message:
            'env.wasm changed after the wasm backend started; set env.wasm.wasmPaths and env.wasm.numThreads ' +
            'before the first useBackend() call.',
        });
      }
      return;
    }
    if (env.wasm.wasmPaths !== undefined) setWasmPaths(env.wasm.wasmPaths as never);
    if (env.wasm.numThreads !== undefined) {
      setThreadsCount(env.wasm.numThreads);
      // Node: tfjs keeps wasm single-threaded; numThreads ≥ 2 opts in to worker_threads pthreads.
      await enableNodeWasmThreads(env.wasm.numThreads);
    }
    configured = key;
  },
};
