import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, ShapeError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { fitToBudget, toRgbTensor } from './image-input';
import { decodePnm, isPnm } from './decode-pnm';
import { ImageTooLargeError } from '../errors/image-too-large-error';

beforeAll(async () => {
  await useBackend('cpu');
});

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
};

describe('image input', () => {
  it('ImageData → RGB in [0,1], alpha dropped (exact)', () => {
    const data = Uint8ClampedArray.from([255, 0, 51, 7, 0, 102, 255, 255]);
    const r = toRgbTensor({ data, width: 2, height: 1 });
    expect(r.image.shape).toEqual([1, 2, 3]);
    expect(Array.from(r.image.dataSync())).toEqual([1, 0, 0.2, 0, 0.4, 1].map((v) => Math.fround(v)));
    expect([r.width, r.height, r.scale]).toEqual([2, 1, 1]);
    r.image.dispose();
  });

  it('tensors: int32 0–255 scaled, grey tiled to RGB, RGBA sliced, float32 copied (the input is never disposed)', () => {
    const i32 = tf.tensor3d([0, 255, 51, 102, 255, 0], [1, 2, 3], 'int32');
    const grey = tf.tensor3d([0.25, 0.5], [1, 2, 1]);
    const rgba = tf.tensor3d([0.1, 0.2, 0.3, 0.9], [1, 1, 4]);
    const a = toRgbTensor(i32), b = toRgbTensor(grey), c = toRgbTensor(rgba), d = toRgbTensor(c.image);
    expect(Array.from(a.image.dataSync())).toEqual([0, 1, 0.2, 0.4, 1, 0].map((v) => Math.fround(v)));
    expect(Array.from(b.image.dataSync())).toEqual([0.25, 0.25, 0.25, 0.5, 0.5, 0.5]);
    expect(Array.from(c.image.dataSync())).toEqual([0.1, 0.2, 0.3].map((v) => Math.fround(v)));
    expect(d.image).not.toBe(c.image);
    for (const t of [i32, grey, rgba]) expect(t.isDisposed).toBe(false);
    tf.dispose([i32, grey, rgba, a.image, b.image, c.image, d.image]);
  });

  it('shrinks to the pixel budget, keeping the aspect ratio, and reports the scale', () => {
    expect(fitToBudget(4000, 3000, 12e6)).toEqual({ width: 4000, height: 3000, scale: 1 });
    const f = fitToBudget(6000, 4000, 12e6);
    expect(f.width * f.height).toBeLessThanOrEqual(12e6);
    expect(f.width / f.height).toBeCloseTo(1.5, 3);
    const big = tf.fill([128, 256, 3], 0.5) as tf.Tensor3D;
    const r = toRgbTensor(big, { maxPixels: 8192 });
    expect(r.image.shape).toEqual([64, 128, 3]);
    expect(r.scale).toBe(0.5);
    expect([r.width, r.height]).toEqual([256, 128]);
    expect(tf.max(r.image).dataSync()[0]).toBeCloseTo(0.5, 6);
    tf.dispose([big, r.image]);
  });

  it('leaks nothing (tensor and ImageData inputs)', async () => {
    const x = tf.zeros([70, 70, 4], 'int32') as tf.Tensor3D;
    await expectNoLeaks(() => toRgbTensor(x, { maxPixels: 4096 }).image);
    await expectNoLeaks(() => toRgbTensor({ data: new Uint8ClampedArray(4 * 80 * 80), width: 80, height: 80 }, { maxPixels: 4096 }).image);
    x.dispose();
  });

  it('refuses what it cannot read with typed errors', () => {
    expect(() => toRgbTensor(tf.zeros([2, 2]) as unknown as tf.Tensor3D)).toThrowError(ShapeError);
    expect(() => toRgbTensor(tf.zeros([2, 2, 2]) as tf.Tensor3D)).toThrowError(ShapeError);
    expect(() => toRgbTensor('photo.jpg' as never)).toThrowError(/@likeness\/embeddings\/node/);
    // a drawable (sized) object but no canvas in Node
    expect(() => toRgbTensor({ width: 10, height: 10 } as never)).toThrowError(/no 2D canvas/);
    expect(() => toRgbTensor({ naturalWidth: 0, width: 0, height: 0 } as never)).toThrowError(InvalidArgumentError);
    const t = tf.zeros([2, 2, 3]) as tf.Tensor3D;
    t.dispose();
    expect(() => toRgbTensor(t)).toThrowError(/disposed/);
    expect(() => toRgbTensor(tf.zeros([2, 2, 3]) as tf.Tensor3D, { maxPixels: 10 })).toThrowError(/maxPixels/);
  });
});

describe('decodePnm', () => {
  it('decodes P5 (8 and 16 bit, with a comment) and P6', () => {
    expect(isPnm(ascii('P5 '))).toBe(true);
    expect(isPnm(ascii('P3 '))).toBe(false);
    const p5 = decodePnm(concat(ascii('P5\n# ORL\n3 2\n255\n'), Uint8Array.from([0, 51, 255, 102, 204, 0])));
    expect([p5.width, p5.height, p5.channels]).toEqual([3, 2, 1]);
    expect(Array.from(p5.data)).toEqual([0, 0.2, 1, 0.4, 0.8, 0].map((v) => Math.fround(v)));
    const p16 = decodePnm(concat(ascii('P5 1 1 65535 '), Uint8Array.from([0x80, 0x00])));
    expect(p16.data[0]).toBeCloseTo(32768 / 65535, 7);
    const p6 = decodePnm(concat(ascii('P6\n1 1\n255\n'), Uint8Array.from([255, 0, 51])));
    expect(p6.channels).toBe(3);
    expect(Array.from(p6.data)).toEqual([1, 0, 0.2].map((v) => Math.fround(v)));
  });

  it('a 20000×20000 header is refused with ImageTooLargeError before any pixel is read', () => {
    const header = ascii('P5\n20000 20000\n255\n'); // no pixel data at all: it must not get that far
    let err: unknown;
    try { decodePnm(header, { maxPixels: 50e6 }); } catch (e) { err = e; }
    expect(ImageTooLargeError.isInstance(err)).toBe(true);
    expect((err as ImageTooLargeError).width).toBe(20000);
    expect((err as Error).message).toMatch(/400\.0 MP/);
  });

  it('refuses damaged files naming the problem', () => {
    expect(() => decodePnm(ascii('GIF89a'))).toThrowError(/not a binary PGM/);
    expect(() => decodePnm(concat(ascii('P5 2 2 255 '), Uint8Array.from([1, 2])))).toThrowError(/truncated/);
    expect(() => decodePnm(ascii('P5 x'))).toThrowError(/corrupt header/);
    expect(() => decodePnm(ascii('P5 0 2 255 '))).toThrowError(/invalid size/);
  });
});
