import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

interface CpuBackendLike {
  data: { get(dataId: object): { values: tf.TypedArray } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.TypedArray): TensorInfo;
  disposeIntermediateTensorInfo(info: TensorInfo): void;
}

/**
 * tfjs-backend-cpu 4.22's `Transform` (behind `tf.image.transform`, used to
 * align faces) returns from inside its batch loop: every image after the
 * first comes back filled with `fillValue`. This wrapper runs the original
 * kernel one image at a time — its per-image arithmetic and fill modes are
 * right — and stacks the results.
 */
export function fixedCpuTransform(original: KernelFunc): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, attrs, backend }) => {
    const { image, transforms } = inputs as { image: TensorInfo; transforms: TensorInfo };
    const [batch, h, w, c] = image.shape as [number, number, number, number];
    if (batch <= 1) return original({ inputs, attrs, backend });
    const b = backend as unknown as CpuBackendLike;
    const imageVals = b.data.get(image.dataId).values;
    const transformVals = b.data.get(transforms.dataId).values;
    const perTransform = transforms.shape[0] === 1;
    const inSize = h * w * c;
    let out: tf.TypedArray | undefined;
    let outShape: number[] = [];
    for (let i = 0; i < batch; i++) {
      const one = b.makeTensorInfo([1, h, w, c], image.dtype, imageVals.slice(i * inSize, (i + 1) * inSize));
      const t = b.makeTensorInfo([1, 8], transforms.dtype, perTransform ? transformVals.slice(0, 8) : transformVals.slice(i * 8, i * 8 + 8));
      const res = original({ inputs: { image: one, transforms: t }, attrs, backend }) as TensorInfo;
      const vals = b.data.get(res.dataId).values;
      if (out === undefined) {
        outShape = [batch, ...res.shape.slice(1)];
        out = tf.util.getTypedArrayFromDType(image.dtype as 'float32', tf.util.sizeFromShape(outShape));
      }
      out.set(vals, i * vals.length);
      b.disposeIntermediateTensorInfo(one);
      b.disposeIntermediateTensorInfo(t);
      b.disposeIntermediateTensorInfo(res);
    }
    return b.makeTensorInfo(outShape, image.dtype, out!);
  };
  return { kernelName: 'Transform', backendName: 'cpu', kernelFunc };
}

let applied = false;

/** Replaces the cpu `Transform` kernel with {@link fixedCpuTransform}. Idempotent. */
export function registerCpuKernelFixes(): void {
  if (applied) return;
  const original = tf.getKernel('Transform', 'cpu');
  if (original == null) return;
  tf.unregisterKernel('Transform', 'cpu');
  tf.registerKernel(fixedCpuTransform(original.kernelFunc));
  applied = true;
}
