import * as tf from '@tensorflow/tfjs-core';
import { assertTensor, describeValue, InvalidArgumentError, ShapeError } from '@likeness/backends';
import type { Encoder } from '../encoder';

/** Options of {@link flipAveragedEncoder}. */
export interface FlipAveragedEncoderOptions {
  /**
   * L2-normalise the averaged embedding. The mean of two unit vectors is
   * shorter than either, so an encoder that normalises its output needs it
   * to keep that promise; for encoders compared with plain L2 (the dlib
   * ResNet) leave it off so thresholds keep their scale.
   * @defaultValue the wrapped encoder's `normalized`
   */
  normalize?: boolean;
}

/**
 * Test-time horizontal-flip averaging: an {@link Encoder} whose embedding of
 * an image is the mean of the wrapped encoder's embeddings of the image and
 * of its mirror image, e(x) = ½·(f(x) + f(flipₓ(x))) (then L2-normalised
 * when `normalize`). A face and its mirror show the same person, so the
 * average cancels part of the error that comes from pose and framing
 * asymmetries; it costs one extra forward pass per image (the batch is
 * run doubled). Works for any encoder (the pretrained `FaceResNet`, a
 * a fine-tunable `FaceResNet`, a `CompactEncoder`); training through it trains
 * the wrapped encoder's variables.
 *
 * The wrapper holds no tensors of its own: `dispose()` disposes nothing,
 * the wrapped encoder stays yours to dispose.
 *
 * @example
 * ```ts
 * const net = await loadFaceResNetFromFaceApi();
 * const tta = flipAveragedEncoder(net);   // normalize: false (net.normalized)
 * const d = tta.encode(faces);            // faces [N,150,150,3] → d [N,128]
 * // enrol and identify with the same encoder (both sides averaged)
 * ```
 */
export function flipAveragedEncoder(encoder: Encoder, options: FlipAveragedEncoderOptions = {}): Encoder {
  const fn = 'flipAveragedEncoder';
  if (encoder == null || typeof encoder.encode !== 'function' || typeof encoder.trainableVariables !== 'function' || !Array.isArray(encoder.inputShape)) {
    throw new InvalidArgumentError({ fn, argument: 'encoder', message: `expected an Encoder (FaceResNet, CompactEncoder…), got ${describeValue(encoder)}.` });
  }
  if (options == null || typeof options !== 'object') {
    throw new InvalidArgumentError({ fn, argument: 'options', message: `expected an options object, got ${describeValue(options)}.` });
  }
  if (options.normalize !== undefined && typeof options.normalize !== 'boolean') {
    throw new InvalidArgumentError({ fn, argument: 'options.normalize', message: `expected true or false, got ${describeValue(options.normalize)}.` });
  }
  const normalize = options.normalize ?? encoder.normalized;
  return {
    inputShape: encoder.inputShape,
    embeddingSize: encoder.embeddingSize,
    normalized: normalize,
    encode(images: tf.Tensor4D, encodeOptions?: { training?: boolean }): tf.Tensor2D {
      const name = 'flipAveragedEncoder.encode';
      assertTensor(images, name, 'images');
      if (images.rank !== 4) {
        const [h, w, c] = encoder.inputShape;
        throw new ShapeError({ fn: name, argument: 'images', expected: `[N,${h},${w},${c}]`, actual: images.shape });
      }
      return tf.tidy(() => {
        const n = images.shape[0];
        // one doubled batch: the originals, then their mirror images (width is axis 2 in NHWC)
        const both = encoder.encode(tf.concat([images, tf.reverse(images, 2)], 0) as tf.Tensor4D, encodeOptions);
        const [a, b] = tf.split(both, [n, n], 0) as [tf.Tensor2D, tf.Tensor2D];
        const mean = tf.mul(tf.add(a, b), 0.5) as tf.Tensor2D;
        if (!normalize) return mean;
        const norm = tf.sqrt(tf.maximum(tf.sum(tf.square(mean), 1, true), 1e-24));
        return tf.div(mean, norm) as tf.Tensor2D;
      });
    },
    trainableVariables: () => encoder.trainableVariables(),
    dispose: () => {},
  };
}
