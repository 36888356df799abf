import { UnsortedSegmentSum, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo, UnsortedSegmentSumAttrs } from '@tensorflow/tfjs-core';
import { withScope } from './internal/kernel-scope';

/**
 * `tf.unsortedSegmentSum` on the wasm backend — the gradient of `tf.gather` —
 * as one ScatterNd (which sums repeated indices). Ids outside
 * [0, numSegments) are dropped, as in TensorFlow.
 *
 * @example
 * ```ts
 * // x [4,3], ids [4] (values in [0,2)) → [2,3]
 * tf.unsortedSegmentSum(x, tf.tensor1d([0, 1, 0, 1], 'int32'), 2);
 * ```
 */
export const unsortedSegmentSum: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = attrs as unknown as UnsortedSegmentSumAttrs;
  const idsRank = segmentIds.shape.length;
  const rest = x.shape.slice(idsRank);
  const count = util.sizeFromShape(segmentIds.shape);
  const restSize = util.sizeFromShape(rest);
  return withScope(backend, (s) => {
    let ids = s.reshape(segmentIds, [count]);
    if (ids.dtype !== 'int32') ids = s.run('Cast', { x: ids }, { dtype: 'int32' });
    // Out-of-range ids go to an extra segment that is cut off at the end.
    const zero = s.run('Fill', [], { shape: [count], value: 0, dtype: 'int32' });
    const limit = s.run('Fill', [], { shape: [count], value: numSegments, dtype: 'int32' });
    const valid = s.run('LogicalAnd', {
      a: s.run('GreaterEqual', { a: ids, b: zero }),
      b: s.run('Less', { a: ids, b: limit }),
    });
    const safe = s.run('Select', { condition: valid, t: ids, e: limit });
    const indices = s.reshape(safe, [count, 1]);
    const updates = s.reshape(x, [count, restSize]);
    const scattered = s.run('ScatterNd', { indices, updates }, { shape: [numSegments + 1, restSize] });
    const kept = s.run('Slice', { x: scattered }, { begin: [0, 0], size: [numSegments, restSize] });
    return s.reshape(kept, [numSegments, ...rest]);
  });
};

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum,
};
