import { Relu6Grad, ReluGrad } from '@likeness/backends';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { ELEMENTWISE_MIN_SIZE } from './elementwise-kernels';
import { callNative, type OneDnnKernelBackend } from './native-call';

/**
 * `ReluGrad` / `Relu6Grad` (`@likeness/backends`' one-pass activation
 * gradients): dx = dy · m, m = 1 on (0, upper], 0 elsewhere, NaN where x is
 * NaN — in the addon's multi-threaded loop from {@link ELEMENTWISE_MIN_SIZE}
 * values, in JavaScript below that. tfjs-core composes the same from two
 * (relu) and five (relu6: a comparison, a cast, a step, two products)
 * full-size passes.
 */
function activationGrad(kernelName: string, upper: number): KernelConfig {
  const fallback = (dy: Float32Array, xs: Float32Array, dx: Float32Array) => {
    for (let i = 0; i < xs.length; i++) {
      const v = xs[i]!;
      dx[i] = dy[i]! * (v > 0 && v <= upper ? 1 : v === v ? 0 : NaN);
    }
  };
  return {
    kernelName,
    backendName: 'onednn',
    kernelFunc: ({ inputs, backend }) => {
      const b = backend as unknown as OneDnnKernelBackend;
      const { dy, x } = inputs as { dy: TensorInfo; x: TensorInfo };
      const dys = b.data.get(dy.dataId).values as Float32Array;
      const xs = b.data.get(x.dataId).values as Float32Array;
      const dx = b.pool.floats(xs.length);
      if (xs.length < ELEMENTWISE_MIN_SIZE || !callNative(kernelName, () => b.onednn.activationGrad(dys, xs, dx, upper))) fallback(dys, xs, dx);
      return b.makeTensorInfo([...x.shape], 'float32', dx);
    },
  };
}

/** `ReluGrad` and `Relu6Grad` on the oneDNN backend. */
export function activationGradKernels(): KernelConfig[] {
  return [activationGrad(ReluGrad, Infinity), activationGrad(Relu6Grad, 6)];
}
