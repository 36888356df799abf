import type { TensorInfo } from '@tensorflow/tfjs-core';

/** The two public methods of tfjs-backend-wasm's BackendWasm that kernels here use on its heap. */
export interface WasmHeap {
  /** Allocates an output tensor on the wasm heap (contents undefined). */
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  /** A view of a tensor's data on the wasm heap; take views after allocating, as the heap may grow. */
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}

/** `backend` as a {@link WasmHeap}, or an error naming the kernel when it is not tfjs-backend-wasm's. */
export function heapOf(backend: unknown, kernel: string): WasmHeap {
  const b = backend as Partial<WasmHeap>;
  if (typeof b.makeOutput !== 'function' || typeof b.typedArrayFromHeap !== 'function') {
    throw new Error(`@likeness/backends wasm ${kernel}: the backend is not tfjs-backend-wasm (no heap access)`);
  }
  return b as WasmHeap;
}
