// Image I/O for the eval/sheet/bench scripts (sharp; Node only).
import { rename, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs-core';

/** Reads an image file, resized so its width is `width` (keeping aspect), as a [1,H,W,3] float tensor in [0,1]. */
export async function readImage(path, { width, height } = {}) {
  let s = sharp(path).removeAlpha().toColourspace('srgb');
  if (width || height) s = s.resize({ width, height, fit: width && height ? 'fill' : 'inside', kernel: 'lanczos3' });
  const { data, info } = await s.raw().toBuffer({ resolveWithObject: true });
  return tf.tidy(() => tf.div(tf.cast(tf.tensor4d(new Uint8Array(data), [1, info.height, info.width, info.channels]), 'float32'), 255));
}

/** [1,H,W,3] in [0,1] → raw RGB bytes. */
export async function toRaw(image) {
  const u8 = tf.tidy(() => tf.cast(tf.round(tf.mul(tf.clipByValue(image, 0, 1), 255)), 'int32'));
  const data = Uint8Array.from(await u8.data());
  u8.dispose();
  const [, h, w] = image.shape;
  return { data, width: w, height: h };
}

/** Writes atomically (temp file + rename). */
export async function atomicWrite(path, buffer) {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, buffer);
  await rename(tmp, path);
}

export async function writeImage(path, image, { quality = 85 } = {}) {
  const { data, width, height } = await toRaw(image);
  let s = sharp(Buffer.from(data), { raw: { width, height, channels: 3 } });
  s = path.endsWith('.png') ? s.png() : s.jpeg({ quality, mozjpeg: true });
  await atomicWrite(path, await s.toBuffer());
}
