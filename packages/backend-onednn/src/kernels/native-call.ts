import { InvalidArgumentError, ShapeError } from '@likeness/backends';
import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import type { BufferPool } from '../buffer-pool';
import type { OneDnnAddon } from '../native';

/** The part of the tfjs cpu backend (and so of the oneDNN backend) the kernels use. */
export interface OneDnnKernelBackend {
  readonly onednn: OneDnnAddon;
  /** Where outputs are allocated (recycled storage of disposed tensors; contents unspecified). */
  readonly pool: BufferPool;
  data: { get(dataId: unknown): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: 'float32' | 'int32' | 'bool', values: Float32Array | Int32Array | Uint8Array): TensorInfo;
}

/**
 * The float32 storage of `t` (zero copy). Other dtypes are refused with a
 * typed error: the oneDNN kernels compute in float32 only.
 */
export function floats(backend: OneDnnKernelBackend, t: TensorInfo, kernel: string, argument: string): Float32Array {
  if (t.dtype !== 'float32') {
    throw new InvalidArgumentError({
      fn: kernel,
      argument,
      message: `the oneDNN backend computes ${kernel} in float32, got a ${t.dtype} tensor: cast it first (tf.cast(${argument}, 'float32')).`,
    });
  }
  const values = backend.data.get(t.dataId).values;
  if (!(values instanceof Float32Array)) {
    throw new InvalidArgumentError({ fn: kernel, argument, message: `expected float32 storage on the oneDNN backend, got ${Object.prototype.toString.call(values)}.` });
  }
  return values;
}

/**
 * Runs a native call. Returns false when oneDNN has no implementation for the
 * shape (the caller then runs the cpu kernel); turns the addon's argument
 * errors into the shared typed errors, never letting a native failure escape
 * untyped.
 */
export function callNative(kernel: string, run: () => void): boolean {
  try {
    run();
    return true;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ONEDNN_UNIMPLEMENTED') return false;
    const message = e instanceof Error ? e.message : String(e);
    if (e instanceof TypeError) throw new InvalidArgumentError({ fn: kernel, argument: 'inputs', message: `${message}.`, cause: e });
    throw new ShapeError({
      fn: kernel,
      argument: 'inputs',
      expected: 'shapes oneDNN accepts for these attributes',
      actual: message,
      hint: 'Check the shapes, strides, padding and dilations, or run this op on the cpu backend.',
    });
  }
}

/**
 * The 18 integers the addon's convolution functions take: NHWC sizes, filter
 * size, strides, dilations (tfjs convention, 1 = none), padding top/left and
 * the bottom/right padding that makes oneDNN's output size formula give
 * exactly tfjs's output size (may be negative for rows never reached), groups.
 */
export function convParams(info: backend_util.Conv2DInfo, groups: number): Int32Array {
  const effH = (info.filterHeight - 1) * info.dilationHeight + 1;
  const effW = (info.filterWidth - 1) * info.dilationWidth + 1;
  const bottom = (info.outHeight - 1) * info.strideHeight + effH - info.inHeight - info.padInfo.top;
  const right = (info.outWidth - 1) * info.strideWidth + effW - info.inWidth - info.padInfo.left;
  return Int32Array.of(
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
    bottom,
    right,
    groups,
  );
}
