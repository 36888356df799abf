import { Identity } from '@tensorflow/tfjs-core';
import type { DataId, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { wrapBuiltinKernel } from './internal/wrap-builtin-kernel';


/**
 * `Identity` on the wasm backend without a copy: the output shares the input's
 * data (reference-counted, as the wasm backend's own Reshape and the cpu
 * backend's Identity do; tensors are immutable). tfjs-backend-wasm 4.22 copies
 * the whole buffer, and tfjs calls Identity for every tensor it keeps for a
 * gradient (≈ 270 calls, ≈ 6 % of a 512 px style-transfer step). String
 * tensors go to the built-in kernel.
 *
 * @example
 * ```ts
 * tf.clone(x); // shares x's wasm memory
 * ```
 */
function identityFor(base: KernelConfig): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype === 'string') return base.kernelFunc(args);
    (args.backend as unknown as { incRef(id: DataId): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
}

/** The wasm `Identity` replacement (see {@link identityFor}); wraps the built-in kernel. */
export function identityConfig(): KernelConfig {
  return wrapBuiltinKernel(Identity, 'likeness.wasm.identity', identityFor);
}
