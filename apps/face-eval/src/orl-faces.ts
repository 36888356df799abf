/**
 * The ORL images through the library's one-call pipeline
 * (`createFaceRecognizer()` from `@likeness/embeddings/node`, no options):
 * descriptors for the evaluation and the aligned crops for fine-tuning.
 * No framing code of its own.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FaceRecognizer, NodeImageInput } from '@likeness/embeddings/node';
import type { OrlImage } from './orl';

/** What {@link recognizeOrl} returns. */
export interface OrlFaces {
  /** The default pipeline's descriptor of each image (largest face), in `images` order. */
  readonly descriptors: Float32Array[];
  /** The aligned 150×150 crops [N,150,150,3] the recognizer embedded (the caller disposes). */
  readonly crops: tf.Tensor4D;
  /** Per image: the pad-and-retry border that found the face, or null (not found). */
  readonly borders: (number | null)[];
}

/** An ORL image as a grey tensor [112,92,1] in [0,1] (the recognizer takes grey images as they are). */
export function orlTensor(im: OrlImage): tf.Tensor3D {
  return tf.tensor3d(im.data, [im.height, im.width, 1]);
}

/**
 * Runs the recognizer on every image. An image without a face stops the
 * run (the figures would otherwise mix in a framing of our own).
 *
 * @example
 * ```ts
 * const { descriptors, crops } = await recognizeOrl(images, await createFaceRecognizer());
 * ```
 */
export async function recognizeOrl(images: readonly OrlImage[], recognizer: FaceRecognizer<NodeImageInput>, log: (s: string) => void = console.log): Promise<OrlFaces> {
  const descriptors: Float32Array[] = [];
  const crops: tf.Tensor3D[] = [];
  const borders: (number | null)[] = [];
  const misses: string[] = [];
  try {
    for (const im of images) {
      const x = orlTensor(im);
      try {
        const r = await recognizer.embed(x, { crops: true, maxFaces: 1 });
        borders.push(r.tried.attempt?.border ?? null);
        if (!r.found) {
          misses.push(`${im.person}/${im.index}.pgm`);
          continue;
        }
        descriptors.push(r.faces[0]!.descriptor);
        crops.push(r.faces[0]!.crop!);
      } finally {
        x.dispose();
      }
      if (borders.length % 100 === 0) log(`  ${borders.length}/${images.length} images`);
    }
    if (misses.length) throw new Error(`no face found in ${misses.length} image(s): ${misses.join(' ')}`);
    return { descriptors, crops: tf.stack(crops) as tf.Tensor4D, borders };
  } finally {
    tf.dispose(crops);
  }
}

/** An embed function (for the protocol) over precomputed crops (keyed by person/index), cached. */
export function embedCrops(net: { encode(x: tf.Tensor4D): tf.Tensor2D }, all: readonly OrlImage[], crops: tf.Tensor4D) {
  const key = (im: OrlImage) => `${im.person}/${im.index}`;
  const pos = new Map(all.map((im, i) => [key(im), i]));
  const cache = new Map<string, Float32Array>();
  return async (ims: readonly OrlImage[]) => {
    const missing = ims.filter((im) => !cache.has(key(im)));
    for (let i = 0; i < missing.length; i += 16) {
      const chunk = missing.slice(i, i + 16);
      const d = tf.tidy(() => net.encode(tf.gather(crops, chunk.map((im) => pos.get(key(im))!))));
      const v = (await d.data()) as Float32Array;
      d.dispose();
      chunk.forEach((im, k) => cache.set(key(im), v.slice(k * 128, (k + 1) * 128)));
    }
    return ims.map((im) => cache.get(key(im))!);
  };
}

/** An embed function over the precomputed descriptors. */
export function lookup(all: readonly OrlImage[], descriptors: readonly Float32Array[]) {
  const pos = new Map(all.map((im, i) => [`${im.person}/${im.index}`, i]));
  return (ims: readonly OrlImage[]) => ims.map((im) => descriptors[pos.get(`${im.person}/${im.index}`)!]!);
}
