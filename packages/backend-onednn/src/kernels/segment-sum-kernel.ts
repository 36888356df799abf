import { UnsortedSegmentSum, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { oneDnnKernel, type OneDnnKernelFunc } from './conv-kernels';

/**
 * `tf.unsortedSegmentSum` of float32 rows by rank-1 int32 ids (what `tf.gather`'s
 * gradient runs) in one pass over x. The cpu kernel builds a mask, a product
 * and a sum per segment (numSegments passes over x: a quarter of a second for
 * a [50, 128] gradient). Ids outside [0, numSegments) are dropped, as there.
 */
const segmentSum: OneDnnKernelFunc<{ numSegments: number }> = (inputs, backend, attrs) => {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  if (x.dtype !== 'float32' || segmentIds.dtype !== 'int32' || segmentIds.shape.length !== 1 || x.shape.length < 1) return undefined;
  if (segmentIds.shape[0] !== x.shape[0] || !Number.isInteger(attrs.numSegments) || attrs.numSegments < 0) return undefined;
  const xs = backend.data.get(x.dataId).values;
  const ids = backend.data.get(segmentIds.dataId).values;
  if (!(xs instanceof Float32Array) || !(ids instanceof Int32Array)) return undefined;
  const row = x.shape.slice(1).reduce((a, b) => a * b, 1);
  const out = new Float32Array(attrs.numSegments * row);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i]!;
    if (s < 0 || s >= attrs.numSegments) continue;
    const from = i * row;
    const to = s * row;
    for (let j = 0; j < row; j++) out[to + j] += xs[from + j]!;
  }
  return backend.makeTensorInfo([attrs.numSegments, ...x.shape.slice(1)], 'float32', out);
};

/** `UnsortedSegmentSum` in one pass (float32 rows, rank-1 int32 ids). */
export function segmentSumKernels(cpuKernel: (name: string) => KernelFunc): KernelConfig[] {
  return [oneDnnKernel(UnsortedSegmentSum, segmentSum, cpuKernel(UnsortedSegmentSum))];
}
