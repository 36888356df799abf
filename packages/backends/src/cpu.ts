/**
 * Side-effect entry: registers the cpu backend with tfjs and likeness.
 * `import '@likeness/backends/cpu'`.
 *
 * @module @likeness/backends/cpu
 */
import '@tensorflow/tfjs-backend-cpu';
import { cpuBackend } from './builtin/cpu';
import { ensureGradients } from './gradients';
import { registerCpuActivationGrads } from './kernels/cpu/activation-grad-kernels';
import { registerCpuKernelFixes } from './kernels/cpu/transform';
import { fixResizeBilinearGrad } from './kernels/shared/fix-resize-bilinear-grad';
import { registerLikenessBackend } from './registry';

ensureGradients();
registerCpuKernelFixes();
registerCpuActivationGrads();
fixResizeBilinearGrad('cpu');
registerLikenessBackend(cpuBackend, { priority: 1 });

export { cpuBackend };
