import * as tf from '@tensorflow/tfjs-core';
import type { DataId, KernelBackend, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';

type Inputs = Record<string, TensorInfo> | TensorInfo[];
type PadPairs = [number, number][];
/** The two public methods of tfjs-backend-wasm's BackendWasm used for heap copies. */
interface HeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}

/**
 * Runs other wasm kernels on `TensorInfo`s inside a kernel and frees every
 * intermediate it created (`backend.disposeData`), except those handed out
 * with `keep()`. Nothing here touches the cpu backend.
 */
export class KernelScope {
  private readonly owned: TensorInfo[] = [];

  constructor(
    readonly backend: KernelBackend,
    private readonly backendName = 'wasm',
  ) {}

  /** Runs kernel `name` of this backend; the result is freed by `dispose()` unless kept. */
  run(name: string, inputs: Inputs, attrs: Record<string, unknown> = {}): TensorInfo {
    const out = this.runAll(name, inputs, attrs);
    for (let i = 1; i < out.length; i++) this.owned.push(out[i]!);
    return out[0]!;
  }

  /** Like `run` for kernels with several outputs. */
  runAll(name: string, inputs: Inputs, attrs: Record<string, unknown> = {}): TensorInfo[] {
    const kernel = tf.getKernel(name, this.backendName);
    if (kernel == null) throw new Error(`@likeness/backends: kernel ${name} is not registered on ${this.backendName}`);
    const result = kernel.kernelFunc({
      inputs: inputs as never,
      backend: this.backend,
      attrs: attrs as NamedAttrMap,
    }) as TensorInfo | TensorInfo[];
    const list = Array.isArray(result) ? result : [result];
    this.owned.push(...list);
    return list;
  }

  /** Removes `t` from the intermediates (it becomes the kernel's output). */
  keep(t: TensorInfo): TensorInfo {
    const i = this.owned.lastIndexOf(t);
    if (i >= 0) this.owned.splice(i, 1);
    return t;
  }

  /** Frees `t` now. */
  free(t: TensorInfo): void {
    const i = this.owned.lastIndexOf(t);
    if (i >= 0) {
      this.owned.splice(i, 1);
      this.backend.disposeData(t.dataId as DataId);
    }
  }

  dispose(): void {
    for (const t of this.owned) this.backend.disposeData(t.dataId as DataId);
    this.owned.length = 0;
  }

  // ---- small helpers over the backend's own kernels ----

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  /** Pads with `value` where a pair is positive and crops where it is negative. */
  padOrCrop(x: TensorInfo, pairs: PadPairs, value = 0): TensorInfo {
    let t = x;
    if (pairs.some(([a, b]) => a < 0 || b < 0)) {
      const begin = pairs.map(([a]) => Math.max(0, -a));
      const size = x.shape.map((d, i) => d - begin[i]! - Math.max(0, -pairs[i]![1]));
      t = this.run('Slice', { x: t }, { begin, size });
    }
    if (pairs.some(([a, b]) => a > 0 || b > 0)) {
      const paddings = pairs.map(([a, b]) => [Math.max(0, a), Math.max(0, b)]);
      t = this.run('PadV2', { x: t }, { paddings, constantValue: value });
    }
    return t;
  }

  /** Elements `begin + stride·i` along each axis, `count[i]` of them. */
  stridedTake(x: TensorInfo, begin: number[], count: number[], stride: number[]): TensorInfo {
    if (stride.every((s) => s === 1)) return this.run('Slice', { x }, { begin, size: count });
    const end = begin.map((b, i) => b + stride[i]! * (count[i]! - 1) + 1);
    return this.run(
      'StridedSlice',
      { x },
      { begin, end, strides: stride, beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0 },
    );
  }

  /**
   * Spreads `x` [N,H,W,C] onto a grid with stride (sh, sw): output
   * [N, H·sh, W·sw, C] with x at rows/cols multiple of the stride, zeros elsewhere.
   */
  /**
   * Columns [begin, begin + count) of every row of a 2-D float32 tensor
   * ([rows, count]). On wasm it copies straight between views of the wasm
   * heap: tfjs-backend-wasm's Slice first copies the whole input out of the
   * heap (readSync), then the rows one by one.
   */
  sliceColumns(x: TensorInfo, begin: number, count: number): TensorInfo {
    const [rows, cols] = x.shape as [number, number];
    const b = this.backend as unknown as Partial<HeapBackend>;
    if (x.dtype !== 'float32' || typeof b.makeOutput !== 'function' || typeof b.typedArrayFromHeap !== 'function') {
      return this.run('Slice', { x }, { begin: [0, begin], size: [rows, count] });
    }
    const out = b.makeOutput([rows, count], 'float32');
    this.owned.push(out);
    const dst = b.typedArrayFromHeap(out); // views taken after the allocation (which may grow the heap)
    const src = b.typedArrayFromHeap(x);
    for (let r = 0; r < rows; r++) dst.set(src.subarray(r * cols + begin, r * cols + begin + count), r * count);
    return out;
  }

  /**
   * For each `begin` in `begins`, columns [begin, begin + count) of every row of a
   * 2-D float32 tensor [rows, cols], stacked: [begins.length · rows, count].
   */
  stackColumnWindows(x: TensorInfo, begins: number[], count: number): TensorInfo {
    if (begins.length === 1) return this.sliceColumns(x, begins[0]!, count);
    const [rows, cols] = x.shape as [number, number];
    const b = this.backend as unknown as Partial<HeapBackend>;
    if (x.dtype !== 'float32' || typeof b.makeOutput !== 'function' || typeof b.typedArrayFromHeap !== 'function') {
      const parts = begins.map((begin) => this.run('Slice', { x }, { begin: [0, begin], size: [rows, count] }));
      return this.run('Concat', parts, { axis: 0 });
    }
    const out = b.makeOutput([begins.length * rows, count], 'float32');
    this.owned.push(out);
    const dst = b.typedArrayFromHeap(out); // views taken after the allocation (which may grow the heap)
    const src = b.typedArrayFromHeap(x);
    let at = 0;
    for (const begin of begins) {
      for (let r = 0; r < rows; r++, at += count) dst.set(src.subarray(r * cols + begin, r * cols + begin + count), at);
    }
    return out;
  }

  /** Item `i` of a float32 [batch, rows, cols] tensor, as [1, rows, cols] (one contiguous heap copy). */
  sliceBatch(x: TensorInfo, i: number): TensorInfo {
    const [, rows, cols] = x.shape as [number, number, number];
    const b = this.backend as unknown as Partial<HeapBackend>;
    if (x.dtype !== 'float32' || typeof b.makeOutput !== 'function' || typeof b.typedArrayFromHeap !== 'function') {
      return this.run('Slice', { x }, { begin: [i, 0, 0], size: [1, rows, cols] });
    }
    const out = b.makeOutput([1, rows, cols], 'float32');
    this.owned.push(out);
    const size = rows * cols;
    b.typedArrayFromHeap(out).set(b.typedArrayFromHeap(x).subarray(i * size, (i + 1) * size));
    return out;
  }

  spread(x: TensorInfo, sh: number, sw: number): TensorInfo {
    if (sh === 1 && sw === 1) return x;
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const six = this.reshape(x, [n, h, 1, w, 1, c]);
    const padded = this.run(
      'PadV2',
      { x: six },
      { paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 },
    );
    return this.reshape(padded, [n, h * sh, w * sw, c]);
  }
}

/** Runs `body` with a fresh scope and frees its intermediates, also on error. */
export function withScope<T extends TensorInfo | TensorInfo[]>(
  backend: unknown,
  body: (s: KernelScope) => T,
): T {
  const scope = new KernelScope(backend as KernelBackend);
  try {
    const out = body(scope);
    for (const t of Array.isArray(out) ? out : [out]) scope.keep(t);
    return out;
  } finally {
    scope.dispose();
  }
}
