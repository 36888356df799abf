import * as tf from '@tensorflow/tfjs-core';
import { alignFace, type FaceResNet } from '@likeness/embeddings';
import type { OrlImage } from './orl';
import type { EmbedFn } from './protocol';

/**
 * How an ORL image (92 wide × 112 tall, greyscale) becomes the face
 * ResNet's 150×150 RGB input. Fixed crops, no detector:
 * - `whole-padded`: the whole image, padded to 112×112 with black bars
 *   left and right (what face-api does to a non-square input), resized;
 * - `whole-stretched`: the whole image resized to 150×150 (aspect changes);
 * - `crop-80`: the square x 6…86, y 16…96 (80×80 px: brows to chin), resized;
 * - `crop-72`: the square x 10…82, y 24…96 (72×72 px: tighter), resized;
 * - `fixed-landmarks`: `alignFace` with the same 5 landmarks for every
 *   image, read off a few ORL images by eye ({@link ORL_TYPICAL_LANDMARKS}),
 *   padding 0.25: dlib-chip-like framing, black outside the photo.
 */
export type OrlFraming = 'whole-padded' | 'whole-stretched' | 'crop-80' | 'crop-72' | 'fixed-landmarks';

/** Where eyes, nose tip and mouth corners typically are in an ORL image (92×112), by eye. */
export const ORL_TYPICAL_LANDMARKS = [
  { x: 28, y: 52 }, { x: 64, y: 52 }, { x: 46, y: 70 }, { x: 34, y: 86 }, { x: 58, y: 86 },
] as const;

/** The framings {@link faceResNetEmbed} supports, in report order. */
export const ORL_FRAMINGS: readonly OrlFraming[] = ['whole-padded', 'whole-stretched', 'crop-80', 'crop-72', 'fixed-landmarks'];

function frame(batch: tf.Tensor4D, framing: OrlFraming): tf.Tensor4D {
  const size: [number, number] = [150, 150];
  switch (framing) {
    case 'whole-padded':
      return tf.image.resizeBilinear(tf.pad(batch, [[0, 0], [0, 0], [10, 10], [0, 0]]), size);
    case 'whole-stretched':
      return tf.image.resizeBilinear(batch, size);
    case 'crop-80':
      return tf.image.resizeBilinear(tf.slice(batch, [0, 16, 6, 0], [-1, 80, 80, 1]), size);
    case 'crop-72':
      return tf.image.resizeBilinear(tf.slice(batch, [0, 24, 10, 0], [-1, 72, 72, 1]), size);
    case 'fixed-landmarks':
      return alignFace(batch, Array.from({ length: batch.shape[0] }, () => ORL_TYPICAL_LANDMARKS), { outputSize: size, padding: 0.25 });
  }
}

/**
 * An {@link EmbedFn} running the pretrained face ResNet on ORL images with a
 * fixed framing, in batches.
 *
 * @example
 * ```ts
 * const embed = faceResNetEmbed(net, 'crop-80'); // images → 128-d descriptors
 * ```
 */
export function faceResNetEmbed(net: FaceResNet, framing: OrlFraming, batchSize = 16): EmbedFn {
  return async (images: readonly OrlImage[]) => {
    const out: Float32Array[] = [];
    for (let i = 0; i < images.length; i += batchSize) {
      const chunk = images.slice(i, i + batchSize);
      const d = tf.tidy(() => {
        const flat = new Float32Array(chunk.length * 112 * 92);
        chunk.forEach((im, k) => flat.set(im.data, k * 112 * 92));
        const grey = tf.tensor4d(flat, [chunk.length, 112, 92, 1]);
        const rgb = tf.tile(frame(grey, framing), [1, 1, 1, 3]) as tf.Tensor4D;
        return net.encode(rgb);
      });
      const data = (await d.data()) as Float32Array;
      d.dispose();
      for (let k = 0; k < chunk.length; k++) out.push(data.slice(k * 128, (k + 1) * 128));
    }
    return out;
  };
}
