import * as tf from '@tensorflow/tfjs-core';
import { assertNumber, assertTensor, ShapeError } from '@likeness/backends';
import type { Encoder } from '@likeness/embeddings';
import { EmptyBatchError } from './errors/empty-batch-error';

/**
 * Embeds images once with a (frozen) encoder in inference mode, in chunks,
 * so a database can be stored and every later comparison costs only the
 * head.
 *
 * @example
 * ```ts
 * const db = embedImages(encoder, images, { batchSize: 32 }); // images [N,112,92,1] → db [N,128]
 * ```
 */
export function embedImages(encoder: Encoder, images: tf.Tensor4D, options: { batchSize?: number } = {}): tf.Tensor2D {
  const fn = 'embedImages';
  assertTensor(images, fn, 'images');
  if (images.rank !== 4) throw new ShapeError({ fn, argument: 'images', expected: 'a batch of images [N,H,W,C]', actual: images.shape, hint: 'Add a batch dimension with tf.expandDims(image, 0).' });
  if (images.shape[0] === 0) throw new EmptyBatchError({ fn, argument: 'images' });
  const batchSize = options.batchSize ?? 64;
  assertNumber(batchSize, fn, 'options.batchSize', { integer: true, min: 1 });
  return tf.tidy(() => {
    const parts: tf.Tensor2D[] = [];
    for (let s = 0; s < images.shape[0]; s += batchSize) {
      const n = Math.min(batchSize, images.shape[0] - s);
      parts.push(encoder.encode(tf.slice(images, [s, 0, 0, 0], [n, -1, -1, -1]), { training: false }));
    }
    return parts.length === 1 ? parts[0]! : (tf.concat(parts, 0) as tf.Tensor2D);
  });
}
