import * as tf from '@tensorflow/tfjs-core';
import { Slice, slice_util, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, SliceAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { heapOf } from './internal/heap';
import { wrapBuiltinKernel } from './internal/wrap-builtin-kernel';

type NumericView = Float32Array | Int32Array | Uint8Array;

/**
 * `Slice` on the wasm backend, copied straight between views of the wasm
 * heap, one contiguous run (the innermost sliced extent) at a time.
 * tfjs-backend-wasm 4.22's Slice first copies the whole input out of the heap
 * (`readSync`) — e.g. ≈ 24 ms to cut a crop out of a [1,512,512,3] image.
 * String tensors go to the built-in kernel.
 *
 * @example
 * ```ts
 * tf.slice(x, [0, 8, 8, 0], [1, 256, 256, 3]); // x [1,512,512,3] → [1,256,256,3]
 * ```
 */
function sliceFor(base: KernelConfig): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype === 'string') return base.kernelFunc(args);
    const { begin, size } = args.attrs as unknown as SliceAttrs;
    const [b, s] = slice_util.parseSliceParams(x as tf.TensorInfo & { shape: number[] } as never, begin, size);
    const heap = heapOf(args.backend, 'Slice') as unknown as {
      makeOutput(shape: number[], dtype: string): TensorInfo;
      typedArrayFromHeap(t: TensorInfo): NumericView;
    };
    const out = heap.makeOutput(s, x.dtype);
    if (util.sizeFromShape(s) === 0) return out;
    const dst = heap.typedArrayFromHeap(out); // views after the allocation (the heap may grow)
    const src = heap.typedArrayFromHeap(x);
    const rank = x.shape.length;
    const strides = [...util.computeStrides(x.shape), 1];
    // The innermost axes taken whole merge into one contiguous run.
    let inner = rank - 1;
    while (inner > 0 && b[inner] === 0 && s[inner] === x.shape[inner]) inner--;
    const run = s.slice(inner).reduce((p, d) => p * d, 1);
    const outer = s.slice(0, inner);
    const index = new Array<number>(inner).fill(0);
    let at = 0;
    for (;;) {
      let from = b[inner]! * strides[inner]!;
      for (let d = 0; d < inner; d++) from += (b[d]! + index[d]!) * strides[d]!;
      dst.set(src.subarray(from, from + run), at);
      at += run;
      let d = inner - 1;
      while (d >= 0 && ++index[d]! === outer[d]!) index[d--] = 0;
      if (d < 0) break;
    }
    return out;
  };
}

/** The wasm `Slice` replacement (see {@link sliceFor}); wraps the built-in kernel. */
export function sliceConfig(): KernelConfig {
  return wrapBuiltinKernel(Slice, 'likeness.wasm.slice', sliceFor);
}
