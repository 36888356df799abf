/**
 * Side-effect entry: registers the wasm backend with tfjs and likeness, plus
 * the training kernels tfjs-backend-wasm 4.22 lacks.
 * `import '@likeness/backends/wasm'`.
 *
 * @module @likeness/backends/wasm
 */
import '@tensorflow/tfjs-backend-wasm';
import { wasmBackend } from './builtin/wasm';
import { ensureGradients } from './gradients';
import { registerWasmGapKernels } from './kernels/wasm/register-wasm-kernels';
import { registerLikenessBackend } from './registry';

ensureGradients();
registerWasmGapKernels();
registerLikenessBackend(wasmBackend, { priority: 2 });

export { wasmBackend };
export { WASM_GAP_KERNELS, registerWasmGapKernels } from './kernels/wasm/register-wasm-kernels';
