import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, ShapeError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { detectFacesRobust, robustFaceDetector } from './robust-detect';
import { prepareFaces } from './prepare-faces';
import type { FaceDetectorAdapter } from './face-detector';
import { BRIGHT_FACE_LANDMARKS as REL, brightRegionDetector } from './bright-region-detector.fixture';

beforeAll(async () => {
  await useBackend('cpu');
});

/** The shared fake, needing context like face-api's SSD: a face is reported only with `margin` × its size to every edge and ≥ `minSize` px tall. */
const marginDetector = (margin = 0.3, minSize = 0) => brightRegionDetector({ margin, minSize });

/** A tightly framed "face": bright from (fx, fy) for fw×fh pixels, 2 px from the edges. */
function tightImage(H = 40, W = 32, fx = 2, fy = 2, fw = 28, fh = 36): tf.Tensor3D {
  const v = new Float32Array(H * W * 3).fill(0.1);
  for (let y = fy; y < fy + fh; y++) for (let x = fx; x < fx + fw; x++) v.fill(0.9, (y * W + x) * 3, (y * W + x) * 3 + 3);
  return tf.tensor3d(v, [H, W, 3]);
}

describe('robust face detection (pad and retry, multi-scale)', () => {
  it('finds a tightly framed face that a plain pass misses, in the original coordinates', async () => {
    const img = tightImage();
    const det = marginDetector();
    expect(await det.detect(img)).toEqual([]); // the plain pass fails
    const r = await detectFacesRobust(img, det);
    expect(r.found).toBe(true);
    expect(r.attempt).toEqual({ border: 0.25, scale: 1 }); // 10 px border ≥ 0.3 × 36
    expect(r.attempts).toBe(2);
    const d = r.detections[0]!;
    expect(d.box.x).toBeCloseTo(2, 6);
    expect(d.box.y).toBeCloseTo(2, 6);
    expect(d.box.width).toBeCloseTo(28, 6);
    expect(d.box.height).toBeCloseTo(36, 6);
    d.landmarks!.forEach((p, i) => {
      expect(p.x).toBeCloseTo(2 + REL[i]![0] * 28, 6);
      expect(p.y).toBeCloseTo(2 + REL[i]![1] * 36, 6);
    });
    img.dispose();
  });

  it('maps detections back through scaling too (multi-scale search for small faces)', async () => {
    const img = tightImage();
    const det = marginDetector(0.3, 60); // needs a face ≥ 60 px tall: only at scale 2
    const r = await detectFacesRobust(img, det, { borders: [0, 0.5], scales: [1, 2] });
    expect(r.found).toBe(true);
    expect(r.attempt).toEqual({ border: 0.5, scale: 2 });
    expect(r.attempts).toBe(4);
    expect(det.shapes[3]).toEqual([2 * (40 + 40), 2 * (32 + 40), 3]);
    const d = r.detections[0]!;
    // bilinear up-sampling blurs the edge by under one input pixel
    expect(Math.abs(d.box.x - 2)).toBeLessThan(1);
    expect(Math.abs(d.box.y - 2)).toBeLessThan(1);
    expect(Math.abs(d.box.width - 28)).toBeLessThan(1.5);
    expect(Math.abs(d.box.height - 36)).toBeLessThan(1.5);
    img.dispose();
  });

  it('reports "not found" when no attempt finds a face, and robustFaceDetector calls onMiss', async () => {
    const blank = tf.fill([20, 20, 3], 0.1) as tf.Tensor3D;
    const r = await detectFacesRobust(blank, marginDetector());
    expect(r).toEqual({ detections: [], found: false, attempt: null, attempts: 4 });
    const misses: number[][] = [];
    const robust = robustFaceDetector(marginDetector(), { onMiss: (im) => misses.push(im.shape.slice()) });
    expect(await robust.detect(blank)).toEqual([]);
    expect(misses).toEqual([[20, 20, 3]]);
    blank.dispose();
  });

  it('feeds prepareFaces: the robust wrapper yields an aligned crop where the plain detector gives none', async () => {
    const img = tightImage();
    const plain = await prepareFaces(img, marginDetector());
    expect(plain.faces.shape).toEqual([0, 150, 150, 3]);
    const robust = await prepareFaces(img, robustFaceDetector(marginDetector()), { outputSize: [30, 30], padding: 0 });
    expect(robust.faces.shape).toEqual([1, 30, 30, 3]);
    // the crop is centred on the bright face: its centre pixel is bright
    const c = tf.tidy(() => tf.slice(robust.faces, [0, 15, 15, 0], [1, 1, 1, 1]).dataSync()[0]!);
    expect(c).toBeGreaterThan(0.5);
    tf.dispose([plain.faces, robust.faces, img]);
  });

  it('leaks no tensors and never disposes the input', async () => {
    const img = tightImage();
    await expectNoLeaks(() => detectFacesRobust(img, marginDetector(0.3, 60), { borders: [0, 0.5], scales: [1, 2] }));
    await expectNoLeaks(() => detectFacesRobust(img, marginDetector()));
    expect(img.isDisposed).toBe(false);
    img.dispose();
  });

  it('throws typed errors for bad input', async () => {
    const img = tightImage();
    await expect(detectFacesRobust(tf.zeros([4, 4, 1]) as tf.Tensor3D, marginDetector())).rejects.toSatisfy((e) => ShapeError.isInstance(e));
    await expect(detectFacesRobust(img, {} as FaceDetectorAdapter)).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e));
    await expect(detectFacesRobust(img, marginDetector(), { borders: [] })).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e));
    await expect(detectFacesRobust(img, marginDetector(), { scales: [0] })).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e));
    expect(() => robustFaceDetector(null as unknown as FaceDetectorAdapter)).toThrow(/FaceDetectorAdapter/);
    img.dispose();
  });
});
