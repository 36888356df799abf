/**
 * Side-effect entry: makes the webgpu backend available to `useBackend()`.
 * `import '@likeness/backends/webgpu'`. The tfjs plugin itself loads on
 * first use, and only where `navigator.gpu` exists.
 *
 * @module @likeness/backends/webgpu
 */
import { webgpuBackend } from './builtin/webgpu';
import { ensureGradients } from './gradients';
import { registerLikenessBackend } from './registry';

ensureGradients();
registerLikenessBackend(webgpuBackend, { priority: 3 });

export { webgpuBackend };
