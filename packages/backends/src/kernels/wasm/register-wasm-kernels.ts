import type { KernelConfig } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input';
import { depthwiseConv2dNativeBackpropFilterConfig } from './depthwise-conv2d-native-backprop-filter';
import { depthwiseConv2dNativeBackpropInputConfig } from './depthwise-conv2d-native-backprop-input';
import { fixResizeBilinearGrad } from '../shared/fix-resize-bilinear-grad';
import { batchMatMulConfig } from './batch-mat-mul';
import { identityConfig } from './identity';
import { sliceConfig } from './slice';
import { maxPoolGradConfig } from './max-pool-grad';
import { meanLeadingAxesConfig, sumLeadingAxesConfig } from './leading-axes-reduction';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum';

/**
 * Kernels tfjs-backend-wasm 4.22 lacks (or gets wrong) that the likeness
 * packages need for training. Each is built from the wasm backend's own fast
 * kernels; none falls back to the cpu backend.
 *
 * - `Conv2DBackpropFilter` (missing): conv2d's filter gradient.
 * - `Conv2DBackpropInput` (replaced): the built-in one is ~10× slower than the forward conv.
 * - `DepthwiseConv2dNativeBackpropInput`, `DepthwiseConv2dNativeBackpropFilter` (missing).
 * - `UnsortedSegmentSum` (missing): gather's gradient.
 * - `MaxPoolGrad` (replaced): the built-in one drops the gradient of all-negative windows.
 *
 * Registering also wraps `Sum` and `Mean` (reductions over the leading axes of a
 * float32 tensor — batch-norm statistics and gradients — skip the built-in
 * kernels' full transpose), `BatchMatMul` (transposed operands and batches
 * reach XNNPACK instead of a naive loop), `Slice` (no copy of the whole input
 * out of the heap) and `Identity` (shares the data instead of copying);
 * everything else goes to the built-in kernels unchanged.
 */
export const WASM_GAP_KERNELS: KernelConfig[] = [
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  unsortedSegmentSumConfig,
  maxPoolGradConfig,
];

/**
 * Registers (or replaces) the gap kernels on the wasm backend, and fixes the
 * output shape of its ResizeBilinearGrad. Idempotent.
 */
export function registerWasmGapKernels(): void {
  for (const config of [...WASM_GAP_KERNELS, sumLeadingAxesConfig(), meanLeadingAxesConfig(), batchMatMulConfig(), sliceConfig(), identityConfig()]) {
    if (tf.getKernel(config.kernelName, 'wasm') != null) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  fixResizeBilinearGrad('wasm');
}
