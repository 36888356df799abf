import { backend_util, Mean, Sum, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { heapOf } from './internal/heap';
import { wrapBuiltinKernel } from './internal/wrap-builtin-kernel';


/** The reduced axes when they are exactly the leading ones 0…k−1 (k < rank), else undefined. */
function leadingCount(axis: number | number[], rank: number): number | undefined {
  const axes = [...new Set(util.parseAxisParam(axis, Array.from({ length: rank })))].sort((a, b) => a - b);
  if (axes.length === 0 || axes.length >= rank) return undefined;
  return axes.every((a, i) => a === i) ? axes.length : undefined;
}

/**
 * `Sum` / `Mean` on the wasm backend for float32 tensors reduced over their
 * leading axes (batch-norm statistics and their gradients: [N,H,W,C] over
 * N, H, W): one pass of column sums over the wasm heap, accumulated in double
 * precision. tfjs-backend-wasm 4.22 first transposes the whole tensor so that
 * the reduced axes come last; every other case still goes to its kernel.
 */
function leadingAxesReduction(kernelName: typeof Sum | typeof Mean): KernelConfig {
  return wrapBuiltinKernel(kernelName, 'likeness.wasm.leading-axes-reduction', (base) => (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const k = x.dtype === 'float32' ? leadingCount(axis, x.shape.length) : undefined;
    if (k === undefined) return base.kernelFunc(args);
    const rows = util.sizeFromShape(x.shape.slice(0, k));
    const cols = util.sizeFromShape(x.shape.slice(k));
    const outShape = keepDims ? backend_util.expandShapeToKeepDim(x.shape.slice(k), Array.from({ length: k }, (_, i) => i)) : x.shape.slice(k);
    const heap = heapOf(args.backend, kernelName);
    const out = heap.makeOutput(outShape, 'float32');
    const dst = heap.typedArrayFromHeap(out); // views after the allocation (the heap may grow)
    const src = heap.typedArrayFromHeap(x);
    const acc = new Float64Array(cols);
    for (let r = 0; r < rows; r++) {
      const at = r * cols;
      for (let c = 0; c < cols; c++) acc[c] = acc[c]! + src[at + c]!;
    }
    const scale = kernelName === Mean ? 1 / rows : 1;
    for (let c = 0; c < cols; c++) dst[c] = acc[c]! * scale;
    return out;
  });
}

/** Sum over leading axes without a transpose (see {@link leadingAxesReduction}). */
export const sumLeadingAxesConfig = (): KernelConfig => leadingAxesReduction(Sum);
/** Mean over leading axes without a transpose (see {@link leadingAxesReduction}). */
export const meanLeadingAxesConfig = (): KernelConfig => leadingAxesReduction(Mean);
