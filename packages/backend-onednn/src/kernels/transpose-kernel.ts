import { Transpose, util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { oneDnnKernel, type OneDnnKernelFunc } from './conv-kernels';

type Values = Float32Array | Int32Array | Uint8Array;

/**
 * Writes x (row-major `shape`) permuted by `perm` into `out`, in output
 * order: one step along output axis k moves the input offset by the input
 * stride of axis `perm[k]`; the innermost output axis runs a tight loop.
 */
export function transposeInto(x: Values, out: Values, shape: readonly number[], perm: readonly number[]): void {
  const rank = shape.length;
  if (rank <= 1) {
    out.set(x);
    return;
  }
  const inStrides = new Array<number>(rank);
  for (let a = rank - 1, s = 1; a >= 0; a--) {
    inStrides[a] = s;
    s *= shape[a]!;
  }
  const outShape = perm.map((p) => shape[p]!);
  const step = perm.map((p) => inStrides[p]!);
  const innerLen = outShape[rank - 1]!;
  const innerStep = step[rank - 1]!;
  const idx = new Array<number>(rank).fill(0);
  const n = x.length;
  let src = 0;
  for (let o = 0; o < n; o += innerLen) {
    for (let j = 0, s = src; j < innerLen; j++, s += innerStep) out[o + j] = x[s]!;
    for (let k = rank - 2; k >= 0; k--) {
      src += step[k]!;
      if (++idx[k]! < outShape[k]!) break;
      src -= step[k]! * outShape[k]!;
      idx[k] = 0;
    }
  }
}

/**
 * `tf.transpose` of a float32, int32 or bool tensor in one pass over typed
 * arrays. tfjs-backend-cpu's kernel converts every flat index to coordinates
 * and back: 10 ms a call for a [1, 384, 384] matrix (the transpose in a Gram
 * matrix's gradient, 12 of a 77 ms MobileNetV2 style step at 256²).
 */
const transpose: OneDnnKernelFunc<{ perm: number[] }> = (inputs, backend, attrs) => {
  const { x } = inputs as { x: TensorInfo };
  const values = backend.data.get(x.dataId).values;
  if (!(values instanceof Float32Array || values instanceof Int32Array || values instanceof Uint8Array)) return undefined;
  const perm = attrs.perm;
  if (perm.length !== x.shape.length) return undefined; // the cpu kernel says what is wrong
  const count = util.sizeFromShape(x.shape);
  const out = values instanceof Float32Array ? backend.pool.floats(count) : values instanceof Int32Array ? backend.pool.ints(count) : backend.pool.bytes(count);
  transposeInto(values, out, x.shape, perm);
  return backend.makeTensorInfo(perm.map((p) => x.shape[p]!), x.dtype as 'float32', out as Float32Array);
};

/** `Transpose` in one pass over typed arrays (float32, int32, bool). */
export function transposeKernels(cpuKernel: (name: string) => KernelFunc): KernelConfig[] {
  return [oneDnnKernel(Transpose, transpose, cpuKernel(Transpose))];
}
