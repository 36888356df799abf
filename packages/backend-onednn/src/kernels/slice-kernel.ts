import { Slice, slice_util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { oneDnnKernel, type OneDnnKernelFunc } from './conv-kernels';
import { ELEMENTWISE_MIN_SIZE } from './elementwise-kernels';
import { callNative } from './native-call';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * `tf.slice` of a float32 or int32 tensor (images arrive as int32) whose slice is not one contiguous run (those
 * the cpu kernel returns as a view, for free): a oneDNN reorder from a
 * sub-memory view of x, where the cpu kernel walks element by element.
 */
const slice: OneDnnKernelFunc<{ begin: number | number[]; size: number | number[] }> = (inputs, backend, attrs) => {
  const { x } = inputs as { x: TensorInfo };
  if ((x.dtype !== 'float32' && x.dtype !== 'int32') || x.shape.length < 1 || x.shape.length > 6) return undefined;
  const values = backend.data.get(x.dataId).values;
  if (!(values instanceof Float32Array || values instanceof Int32Array)) return undefined;
  const [begin, sizes] = slice_util.parseSliceParams(x as unknown as Parameters<typeof slice_util.parseSliceParams>[0], attrs.begin, attrs.size);
  const count = size(sizes);
  if (count < ELEMENTWISE_MIN_SIZE || slice_util.isSliceContinous(x.shape, begin, sizes)) return undefined;
  if (begin.some((b, i) => b < 0 || b + sizes[i]! > x.shape[i]!)) return undefined; // the cpu kernel says what is wrong
  const y = values instanceof Int32Array ? backend.pool.ints(count) : backend.pool.floats(count);
  const run = () => backend.onednn.slice(values, y, Int32Array.from(x.shape), Int32Array.from(begin), Int32Array.from(sizes));
  if (!callNative(Slice, run)) return undefined;
  return backend.makeTensorInfo(sizes, x.dtype as 'float32', y as Float32Array);
};

/** `Slice` on oneDNN (non-contiguous float32 and int32 slices of ≥ 4096 elements). */
export function sliceKernels(cpuKernel: (name: string) => KernelFunc): KernelConfig[] {
  return [oneDnnKernel(Slice, slice, cpuKernel(Slice))];
}
