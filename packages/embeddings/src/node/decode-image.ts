import * as tf from '@tensorflow/tfjs-core';
import { readFile, stat } from 'node:fs/promises';
import { describeValue, InvalidArgumentError } from '@likeness/backends';
import { ImageTooLargeError } from '../errors/image-too-large-error';
import { decodePnm, isPnm } from '../image/decode-pnm';
import { DEFAULT_MAX_PIXELS, fitToBudget, toRgbTensor, type RgbTensor } from '../image/image-input';

/** An image file as Node has it: a path, or the encoded bytes (`Buffer` is a `Uint8Array`). */
export type EncodedImage = string | Uint8Array;

/** Options of {@link decodeImage}. */
export interface DecodeImageOptions {
  /** The decoded image is shrunk to at most this many pixels (sharp resizes while decoding). @defaultValue `12_000_000` */
  maxPixels?: number;
  /**
   * Refuse (with `ImageTooLargeError`, from the header, before decoding)
   * images that declare more pixels than this. @defaultValue `50_000_000`
   */
  maxDecodePixels?: number;
}

/** The default decoding limit: 50 MP (an 8660² image). */
export const DEFAULT_MAX_DECODE_PIXELS = 50_000_000;

type SharpModule = typeof import('sharp');
let sharpModule: Promise<SharpModule> | null = null;
async function loadSharp(fn: string): Promise<SharpModule> {
  sharpModule ??= import('sharp').then((m) => ((m as unknown as { default?: SharpModule }).default ?? m) as SharpModule);
  try {
    return await sharpModule;
  } catch (e) {
    sharpModule = null;
    throw new InvalidArgumentError({ fn, argument: 'image', message: 'decoding image files needs the sharp package (npm i sharp@0.34.5); or pass a tensor.', cause: e });
  }
}

/**
 * Decodes an image file (path or bytes) into an RGB tensor [h,w,3] float32
 * in [0, 1]: JPEG, PNG, WebP, AVIF, TIFF, GIF through sharp, with the EXIF
 * orientation applied; binary PGM/PPM (ORL and other face sets) through
 * `decodePnm`. Grey images become three equal channels, alpha is dropped.
 * The header's size is checked first (`ImageTooLargeError` above
 * `maxDecodePixels`); larger photos than `maxPixels` are shrunk while
 * decoding, so the full-size pixels never become floats.
 *
 * @example
 * ```ts
 * const { image, width, height, scale } = await decodeImage('photo.jpg'); // image [h,w,3]
 * image.dispose();
 * ```
 */
export async function decodeImage(input: EncodedImage, options: DecodeImageOptions = {}, fn = 'decodeImage', argument = 'image'): Promise<RgbTensor> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const maxDecodePixels = options.maxDecodePixels ?? DEFAULT_MAX_DECODE_PIXELS;
  for (const [name, v] of [['options.maxPixels', maxPixels], ['options.maxDecodePixels', maxDecodePixels]] as const) {
    if (!(typeof v === 'number' && Number.isFinite(v) && v >= 4096)) {
      throw new InvalidArgumentError({ fn, argument: name, message: `expected a pixel count ≥ 4096, got ${describeValue(v)}.` });
    }
  }
  let bytes: Uint8Array;
  const source = typeof input === 'string' ? input : 'bytes';
  if (typeof input === 'string') {
    let info;
    try {
      info = await stat(input);
    } catch (e) {
      throw new InvalidArgumentError({ fn, argument, message: `file not found: ${input}; pass an existing image path.`, cause: e });
    }
    if (!info.isFile()) throw new InvalidArgumentError({ fn, argument, message: `not a file: ${input}.` });
    bytes = await readFile(input);
  } else if (input instanceof Uint8Array) {
    bytes = input;
  } else {
    throw new InvalidArgumentError({ fn, argument, message: `expected a path, a Buffer/Uint8Array of an encoded image, or a tensor, got ${describeValue(input)}.` });
  }
  if (bytes.length === 0) throw new InvalidArgumentError({ fn, argument, message: `${source}: the file is empty.` });
  if (isPnm(bytes)) {
    const p = decodePnm(bytes, { maxPixels: maxDecodePixels, source });
    const t = tf.tensor3d(p.data, [p.height, p.width, p.channels]);
    try {
      return toRgbTensor(t, { maxPixels, fn, argument });
    } finally {
      t.dispose();
    }
  }
  const sharp = await loadSharp(fn);
  let meta;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw new InvalidArgumentError({ fn, argument, message: `${source}: not an image sharp can read (or a damaged one): ${e instanceof Error ? e.message : String(e)}.`, cause: e });
  }
  const width = meta.width ?? 0, height = meta.height ?? 0;
  if (!(width > 0 && height > 0)) throw new InvalidArgumentError({ fn, argument, message: `${source}: the image has no size in its header.` });
  if (width * height > maxDecodePixels) throw new ImageTooLargeError({ fn, width, height, maxPixels: maxDecodePixels, source });
  const turned = (meta.orientation ?? 1) >= 5; // EXIF 5–8 swap width and height
  const ow = turned ? height : width, oh = turned ? width : height;
  const fit = fitToBudget(ow, oh, maxPixels);
  let data: Buffer, info: { width: number; height: number; channels: number };
  try {
    let pipeline = sharp(bytes, { failOn: 'error', limitInputPixels: maxDecodePixels }).rotate();
    if (fit.scale !== 1) pipeline = pipeline.resize(fit.width, fit.height, { fit: 'fill' });
    ({ data, info } = await pipeline.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true }));
  } catch (e) {
    throw new InvalidArgumentError({ fn, argument, message: `${source}: could not decode the image: ${e instanceof Error ? e.message : String(e)}.`, cause: e });
  }
  const c = info.channels;
  const rgb = new Float32Array(info.width * info.height * 3);
  for (let i = 0, j = 0; j < rgb.length; i += c, j += 3) {
    rgb[j] = data[i]! / 255;
    rgb[j + 1] = data[i + (c >= 3 ? 1 : 0)]! / 255;
    rgb[j + 2] = data[i + (c >= 3 ? 2 : 0)]! / 255;
  }
  return { image: tf.tensor3d(rgb, [info.height, info.width, 3]), width: ow, height: oh, scale: info.width / ow };
}
