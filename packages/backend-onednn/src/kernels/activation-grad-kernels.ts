import { Relu6Grad, ReluGrad } from '@likeness/backends';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { oneDnnKernel, type OneDnnKernelFunc } from './conv-kernels';
import { ELEMENTWISE_MIN_SIZE } from './elementwise-kernels';
import { callNative } from './native-call';

/**
 * `ReluGrad` / `Relu6Grad` (`@likeness/backends`' one-pass activation
 * gradients): dx = dy · m, m = 1 on (0, upper], 0 elsewhere, NaN where x is
 * NaN — in the addon's multi-threaded loop from {@link ELEMENTWISE_MIN_SIZE}
 * float32 values, on the cpu backend's kernel of the same name below that.
 * tfjs-core composes the same from two (relu) and five (relu6: a comparison,
 * a cast, a step, two products) full-size passes.
 */
function activationGrad(kernelName: string, upper: number): OneDnnKernelFunc<unknown> {
  return (inputs, backend) => {
    const { dy, x } = inputs as { dy: TensorInfo; x: TensorInfo };
    const dys = backend.data.get(dy.dataId).values;
    const xs = backend.data.get(x.dataId).values;
    if (!(dys instanceof Float32Array) || !(xs instanceof Float32Array) || xs.length < ELEMENTWISE_MIN_SIZE) return undefined;
    const dx = backend.pool.floats(xs.length);
    if (!callNative(kernelName, () => backend.onednn.activationGrad(dys, xs, dx, upper))) return undefined;
    return backend.makeTensorInfo([...x.shape], 'float32', dx);
  };
}

/** `ReluGrad` and `Relu6Grad` on the oneDNN backend, with the cpu kernels they fall back to. */
export function activationGradKernels(cpuKernel: (name: string) => KernelFunc): KernelConfig[] {
  return [ReluGrad, Relu6Grad].map((name, i) => oneDnnKernel(name, activationGrad(name, i === 0 ? Infinity : 6), cpuKernel(name)));
}
