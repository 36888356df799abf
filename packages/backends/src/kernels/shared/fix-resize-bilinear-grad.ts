import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

const FIXED = Symbol.for('likeness.fixed-resize-bilinear-grad');

/**
 * tfjs 4.22's cpu and wasm `ResizeBilinearGrad` kernels label their output
 * `[batch, width, height, depth]` although the values are laid out as the
 * input `[batch, height, width, depth]`, so the gradient of
 * `tf.image.resizeBilinear` throws for every non-square input. This wraps the
 * registered kernel of `backendName` and gives the output the input's shape.
 * Idempotent; does nothing where the kernel is not registered.
 *
 * @example
 * ```ts
 * fixResizeBilinearGrad('cpu');
 * tf.grad((x) => tf.sum(tf.image.resizeBilinear(x, [7, 9])))(tf.ones([1, 4, 5, 2])); // [1,4,5,2]
 * ```
 */
export function fixResizeBilinearGrad(backendName: string): void {
  const original = tf.getKernel('ResizeBilinearGrad', backendName);
  if (original == null || (original.kernelFunc as unknown as Record<symbol, boolean>)[FIXED]) return;
  const inner = original.kernelFunc;
  const kernelFunc: KernelFunc = (args) => {
    const out = inner(args) as TensorInfo;
    const images = (args.inputs as { images: TensorInfo }).images;
    return { ...out, shape: [...images.shape] };
  };
  (kernelFunc as unknown as Record<symbol, boolean>)[FIXED] = true;
  tf.unregisterKernel('ResizeBilinearGrad', backendName);
  tf.registerKernel({ ...original, kernelFunc });
}
