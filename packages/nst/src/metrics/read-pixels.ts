import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, ShapeError } from '@likeness/backends';
import { checkImages } from '../internal/check-images';

/** Pixels of one image as float64 RGB triples (row-major), with its size. */
export interface Pixels {
  data: Float64Array;
  height: number;
  width: number;
}

/** Checks `image` (one [1,H,W,3] float32 RGB image in [0,1]) and downloads its pixels (the tensor is not disposed). */
export async function readPixels(image: unknown, fn: string, argument: string): Promise<Pixels> {
  const x = checkImages(image, fn, argument);
  if (x.shape[0] !== 1) {
    throw new ShapeError({ fn, argument, expected: 'one image [1,H,W,3]', actual: x.shape, hint: 'Slice one image out of the batch: tf.slice(batch, [i, 0, 0, 0], [1, -1, -1, -1]).' });
  }
  const [, height, width] = x.shape;
  const data = Float64Array.from(await (x as tf.Tensor).data());
  if (!data.every(Number.isFinite)) {
    throw new InvalidArgumentError({ fn, argument, message: 'the image contains NaN or Infinity values; decode it again or replace them first.' });
  }
  return { data, height, width };
}
