import { BatchMatMul, broadcast_util, util } from '@tensorflow/tfjs-core';
import type { BatchMatMulAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { heapOf } from './internal/heap';
import { withScope } from './internal/kernel-scope';
import { wrapBuiltinKernel } from './internal/wrap-builtin-kernel';


/**
 * `BatchMatMul` on the wasm backend that always reaches XNNPACK.
 * tfjs-backend-wasm 4.22 sends only untransposed, batch-1 products to
 * XNNPACK; a `transposeA`/`transposeB` flag or a batch dimension falls to a
 * naive triple loop about ten times slower — and Gram matrices (FᵀF) and the
 * gradient of every matMul use those flags. Here a transposed operand is
 * transposed once by the backend's Transpose kernel and a batch is computed
 * product by product (batch dimensions broadcast as in tf.matMul), each by the
 * built-in kernel's XNNPACK path.
 *
 * @example
 * ```ts
 * tf.matMul(f, f, true, false); // f [HW, C] → Gram [C, C], on XNNPACK
 * ```
 */
function batchMatMulFor(base: KernelConfig): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
    const ra = a.shape.length;
    const rb = b.shape.length;
    const batchA = util.sizeFromShape(a.shape.slice(0, -2));
    const batchB = util.sizeFromShape(b.shape.slice(0, -2));
    const direct = !transposeA && !transposeB && batchA === 1 && batchB === 1;
    const sameOrOne = batchA === batchB || batchA === 1 || batchB === 1;
    if (direct || !sameOrOne || a.dtype !== 'float32' || b.dtype !== 'float32') return base.kernelFunc(args);
    const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
    const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
    const outer = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const batch = Math.max(batchA, batchB);
    return withScope(args.backend, (s) => {
      // [batch, rows, cols] views, each operand untransposed.
      const flat = (t: TensorInfo, bt: number, transposed: boolean): TensorInfo => {
        const r = t.shape.length;
        const t3 = s.reshape(t, [bt, t.shape[r - 2]!, t.shape[r - 1]!]);
        return transposed ? s.run('Transpose', { x: t3 }, { perm: [0, 2, 1] }) : t3;
      };
      const a3 = flat(a, batchA, transposeA);
      const b3 = flat(b, batchB, transposeB);
      const product = (ai: TensorInfo, bi: TensorInfo) =>
        base.kernelFunc({ ...args, inputs: { a: ai, b: bi }, attrs: { transposeA: false, transposeB: false } as never }) as TensorInfo;
      if (batch === 1) {
        const out = product(a3, b3);
        return { ...out, shape: [...outer, m, n] } as TensorInfo;
      }
      const heap = heapOf(args.backend, 'BatchMatMul');
      const out = heap.makeOutput([...outer, m, n], 'float32');
      for (let i = 0; i < batch; i++) {
        const ai = batchA === 1 ? a3 : s.sliceBatch(a3, i);
        const bi = batchB === 1 ? b3 : s.sliceBatch(b3, i);
        const pi = product(ai, bi);
        heap.typedArrayFromHeap(out).set(heap.typedArrayFromHeap(pi), i * m * n);
        (args.backend as unknown as { disposeData(id: unknown): void }).disposeData(pi.dataId);
        if (ai !== a3) s.free(ai);
        if (bi !== b3) s.free(bi);
      }
      return out;
    });
  };
}

/** The wasm `BatchMatMul` replacement (see {@link batchMatMulFor}); wraps the built-in kernel. */
export function batchMatMulConfig(): KernelConfig {
  return wrapBuiltinKernel(BatchMatMul, 'likeness.wasm.batch-mat-mul', batchMatMulFor);
}
