import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, ShapeError } from '@likeness/backends';

/** Checks an [N,H,W,3] float image batch (no NaN check: that needs a download; see checkFinite). */
export function checkImages(images: unknown, fn: string, argument: string): tf.Tensor4D {
  if (!(images instanceof tf.Tensor)) {
    throw new InvalidArgumentError({ fn, argument, message: `expected a tf.Tensor4D [N,H,W,3] of RGB values in [0,1], got ${images === null ? 'null' : typeof images}.` });
  }
  if (images.isDisposed) throw new InvalidArgumentError({ fn, argument, message: 'the tensor was already disposed.' });
  if (images.rank !== 4 || images.shape[3] !== 3) {
    throw new ShapeError({
      fn,
      argument,
      expected: '[N,H,W,3] (RGB, values in [0,1])',
      actual: images.shape,
      hint:
        images.rank === 3
          ? 'Add a batch axis: tf.expandDims(image, 0).'
          : 'Convert greyscale or RGBA images to 3 RGB channels first.',
    });
  }
  if (images.shape.some((d: number) => d === 0)) {
    throw new ShapeError({ fn, argument, expected: 'an image with non-zero height and width', actual: images.shape });
  }
  if (images.dtype !== 'float32') {
    throw new InvalidArgumentError({ fn, argument, message: `expected float32 values in [0,1], got dtype ${images.dtype}; use tf.div(tf.cast(x,'float32'),255).` });
  }
  return images as tf.Tensor4D;
}

/** Throws when `images` holds NaN or ±Infinity (downloads one scalar). */
export function checkFinite(images: tf.Tensor, fn: string, argument: string): void {
  const bad = tf.tidy(() => tf.any(tf.logicalNot(tf.isFinite(images))));
  const has = bad.dataSync()[0] === 1;
  bad.dispose();
  if (has) {
    throw new InvalidArgumentError({ fn, argument, message: 'the image contains NaN or Infinity values; decode it again or replace them (tf.where(tf.isNaN(x), 0, x)).' });
  }
}
