import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { ImageTooLargeError } from '../errors/image-too-large-error';
import { decodeImage } from './decode-image';

const dir = mkdtempSync(join(tmpdir(), 'likeness-decode-'));
beforeAll(async () => {
  await useBackend('cpu');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A 3 (wide) × 2 RGB image: red, green, blue / white, black, grey 51. */
const RGB = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 51, 51, 51]);
const png = () => sharp(Buffer.from(RGB), { raw: { width: 3, height: 2, channels: 3 } }).png().toBuffer();

/** CRC-32 (PNG's), bitwise. */
function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), Buffer.from(data)]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}
/** A valid PNG header declaring w×h grey pixels, with one tiny IDAT (never enough data). */
function hugePng(w: number, h: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; ihdr[9] = 0; // 8-bit grey
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(16))), chunk('IEND', new Uint8Array(0))]);
}

describe('decodeImage (Node)', () => {
  it('decodes PNG bytes and paths exactly, to RGB in [0,1]', async () => {
    const bytes = await png();
    const path = join(dir, 'a.png');
    writeFileSync(path, bytes);
    for (const input of [bytes, new Uint8Array(bytes), path]) {
      const r = await decodeImage(input);
      expect(r.image.shape).toEqual([2, 3, 3]);
      expect(Array.from(r.image.dataSync())).toEqual(Array.from(RGB, (v) => Math.fround(v / 255)));
      expect([r.width, r.height, r.scale]).toEqual([3, 2, 1]);
      r.image.dispose();
    }
  });

  it('applies the EXIF orientation (6: turned 90° clockwise)', async () => {
    const jpeg = await sharp(Buffer.alloc(40 * 20 * 3, 128), { raw: { width: 40, height: 20, channels: 3 } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const r = await decodeImage(jpeg);
    expect(r.image.shape).toEqual([40, 20, 3]);
    expect([r.width, r.height]).toEqual([20, 40]);
    r.image.dispose();
  });

  it('reads binary PGM (which sharp cannot) as three equal channels', async () => {
    const pgm = Buffer.concat([Buffer.from('P5\n2 1\n255\n'), Buffer.from([0, 255])]);
    const r = await decodeImage(pgm);
    expect(Array.from(r.image.dataSync())).toEqual([0, 0, 0, 1, 1, 1]);
    r.image.dispose();
  });

  it('shrinks to maxPixels while decoding', async () => {
    const big = await sharp(Buffer.alloc(200 * 100 * 3, 200), { raw: { width: 200, height: 100, channels: 3 } }).png().toBuffer();
    const r = await decodeImage(big, { maxPixels: 5000 });
    expect(r.image.shape[0]! * r.image.shape[1]!).toBeLessThanOrEqual(5000);
    expect(r.image.shape[1]! / r.image.shape[0]!).toBeCloseTo(2, 1);
    expect([r.width, r.height]).toEqual([200, 100]);
    expect(r.scale).toBeCloseTo(r.image.shape[1]! / 200, 9);
    r.image.dispose();
  });

  it('a 20000×20000 header gets ImageTooLargeError before any decoding (PNG and PGM)', async () => {
    const e1 = await decodeImage(hugePng(20000, 20000)).catch((e: unknown) => e);
    expect(ImageTooLargeError.isInstance(e1)).toBe(true);
    expect((e1 as ImageTooLargeError).height).toBe(20000);
    const e2 = await decodeImage(Buffer.from('P5\n20000 20000\n255\n')).catch((e: unknown) => e);
    expect(ImageTooLargeError.isInstance(e2)).toBe(true);
    // the same truncated file declaring 300×300 is within the budget: it fails as damaged, not as too large
    const e3 = await decodeImage(hugePng(300, 300)).catch((e: unknown) => e);
    expect(ImageTooLargeError.isInstance(e3)).toBe(false);
    expect(InvalidArgumentError.isInstance(e3)).toBe(true);
  });

  it('refuses missing files, non-images and other values with typed errors; leaks nothing', async () => {
    await expect(decodeImage(join(dir, 'missing.jpg'))).rejects.toThrowError(/file not found/);
    await expect(decodeImage(Buffer.from('not an image at all'))).rejects.toThrowError(/not an image/);
    await expect(decodeImage(new Uint8Array(0))).rejects.toThrowError(/empty/);
    await expect(decodeImage(42 as never)).rejects.toThrowError(InvalidArgumentError);
    await expect(decodeImage(Buffer.alloc(1), { maxPixels: 1 })).rejects.toThrowError(/maxPixels/);
    const bytes = await png();
    await expectNoLeaks(async () => (await decodeImage(bytes)).image);
    const before = tf.memory().numTensors;
    await decodeImage(Buffer.from('junk')).catch(() => undefined);
    expect(tf.memory().numTensors).toBe(before);
  });
});
