import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { Relu6Grad, ReluGrad } from '../../fused-gradient-kernels';

interface CpuBackendLike {
  data: { get(dataId: object): { values: tf.TypedArray } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.TypedArray): TensorInfo;
}

/** dx = dy · m with m = 1 on (0, upper], 0 elsewhere, NaN where x is NaN: {@link ReluGrad} (upper ∞) and {@link Relu6Grad} (6). */
function activationGrad(kernelName: string, upper: number): KernelConfig {
  return {
    kernelName,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend }) => {
      const { dy, x } = inputs as { dy: TensorInfo; x: TensorInfo };
      const b = backend as unknown as CpuBackendLike;
      const d = b.data.get(dy.dataId).values;
      const xs = b.data.get(x.dataId).values;
      const out = new Float32Array(xs.length);
      for (let i = 0; i < xs.length; i++) {
        const v = xs[i]!;
        out[i] = d[i]! * (v > 0 && v <= upper ? 1 : v === v ? 0 : NaN);
      }
      return b.makeTensorInfo([...x.shape], 'float32', out);
    },
  };
}

let registered = false;

/** Registers {@link ReluGrad} and {@link Relu6Grad} for the cpu backend. Idempotent. */
export function registerCpuActivationGrads(): void {
  if (registered) return;
  registered = true;
  for (const k of [activationGrad(ReluGrad, Infinity), activationGrad(Relu6Grad, 6)]) {
    if (tf.getKernel(k.kernelName, 'cpu') == null) tf.registerKernel(k);
  }
}
