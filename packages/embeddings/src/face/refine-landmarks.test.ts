import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, ShapeError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import type { DetectedFace, FaceDetectorAdapter } from './face-detector';
import { BRIGHT_FACE_LANDMARKS as REL, brightRegionDetector } from './bright-region-detector.fixture';
import { refineFaceLandmarks } from './refine-landmarks';

beforeAll(async () => {
  await useBackend('cpu');
});

/** The shared fake: the bright region of channel 0 as a face (no margin needed), score 0.8. */
const brightDetector = () => brightRegionDetector({ score: 0.8 });

/** A dark H×W image with a bright s×s "face" at (fx, fy). */
function squareImage(H: number, W: number, fx: number, fy: number, s: number): tf.Tensor3D {
  return tf.tidy(() => {
    const ys = tf.reshape(tf.range(0, H), [H, 1, 1]), xs = tf.reshape(tf.range(0, W), [1, W, 1]);
    const inside = tf.logicalAnd(
      tf.logicalAnd(tf.greaterEqual(ys, fy), tf.less(ys, fy + s)),
      tf.logicalAnd(tf.greaterEqual(xs, fx), tf.less(xs, fx + s)),
    );
    return tf.add(0.1, tf.mul(0.8, tf.tile(tf.cast(inside, 'float32'), [1, 1, 3]))) as tf.Tensor3D;
  });
}

/** The fake detector's own answer for the square, computed by hand. */
const truth = (fx: number, fy: number, s: number) => REL.map(([a, b]) => ({ x: fx + a * s, y: fy + b * s }));

/** A coarse detection of that face: landmarks shifted by (dx, dy) and scaled by k about the face's centre. */
function coarse(fx: number, fy: number, s: number, dx: number, dy: number, k: number): DetectedFace {
  const cx = fx + s / 2, cy = fy + s / 2;
  return {
    box: { x: fx + dx, y: fy + dy, width: s * k, height: s * k * 1.4 }, score: 0.6,
    landmarks: truth(fx, fy, s).map((p) => ({ x: cx + (p.x - cx) * k + dx, y: cy + (p.y - cy) * k + dy })),
  };
}

describe('refineFaceLandmarks', () => {
  it.each([
    ['a large face in a large image (area-filtered crop)', 1200, 1600, 700, 300, 400, 224],
    ['a small face (upsampled at most 2×)', 160, 200, 60, 40, 40, 201],
    ['a face at the image edge (black past it)', 500, 500, 0, 180, 150, 224],
  ])('%s: the landmarks become the detector\'s answer at its native scale, mapped back to image pixels', async (_, H, W, fx, fy, s, cropSide) => {
    const img = squareImage(H, W, fx, fy, s);
    const det = brightDetector();
    const [r] = await refineFaceLandmarks(img, [coarse(fx, fy, s, 0.08 * s, -0.06 * s, 1.15)], det);
    // the detector sees its native input size, or a smaller face upsampled at most 2×. By hand: dlib's box of the
    // coarse landmarks is (eye–mouth distance √(0.2² + 0.4²)·1.15·s) / 0.45 = 1.143 s, the crop 2.2× it (s = 40: 100.6 px → 201)
    expect(det.shapes).toEqual([[cropSide, cropSide, 3]]);
    expect(r!.confirmed).toBe(true);
    expect(r!.score).toBe(0.6); // the original detection's score
    const step = Math.max(1, (2.2 * 1.15 * s) / 224); // image pixels per crop pixel (generously rounded up)
    const want = truth(fx, fy, s);
    r!.landmarks!.forEach((p, i) => {
      expect(Math.abs(p.x - want[i]!.x)).toBeLessThan(1.5 * step + 0.5);
      expect(Math.abs(p.y - want[i]!.y)).toBeLessThan(1.5 * step + 0.5);
    });
    expect(Math.abs(r!.box.width - s)).toBeLessThan(2 * step + 1);
    img.dispose();
  });

  it('the same face at two scales gets the same landmarks (relative to the face), whatever the coarse detection', async () => {
    const a = squareImage(1500, 2000, 900, 500, 500), b = squareImage(150, 200, 90, 50, 50);
    const det = brightDetector();
    const [ra] = await refineFaceLandmarks(a, [coarse(900, 500, 500, 40, 30, 1.2)], det);
    const [rb] = await refineFaceLandmarks(b, [coarse(90, 50, 50, -3, 2, 0.9)], det);
    const rel = (p: { x: number; y: number }, fx: number, fy: number, s: number) => [(p.x - fx) / s, (p.y - fy) / s];
    ra!.landmarks!.forEach((p, i) => {
      const [ax, ay] = rel(p, 900, 500, 500), [bx, by] = rel(rb!.landmarks![i]!, 90, 50, 50);
      expect(Math.abs(ax! - bx!)).toBeLessThan(0.03);
      expect(Math.abs(ay! - by!)).toBeLessThan(0.03);
    });
    a.dispose();
    b.dispose();
  });

  it('a face under minSize keeps its landmarks and is only confirmed, on a crop at its own resolution', async () => {
    const img = squareImage(60, 80, 30, 20, 20); // dlib's box of the coarse landmarks: 1.143 · 20 = 22.9 px < 40
    const det = brightDetector();
    const d = coarse(30, 20, 20, 1, -1, 1.15);
    const [r] = await refineFaceLandmarks(img, [d], det);
    expect(r).toEqual({ ...d, confirmed: true });
    expect(det.shapes).toEqual([[50, 50, 3]]); // 2.2 × 22.9 px, not upsampled
    const [s] = await refineFaceLandmarks(img, [d], det, { minSize: 0 }); // refined when asked
    expect(s!.landmarks).not.toEqual(d.landmarks);
    img.dispose();
  });

  it('keeps a detection unconfirmed when the detector finds nothing near its centre; detections without landmarks pass through', async () => {
    const img = squareImage(400, 400, 20, 20, 60); // the only bright square is far from the detection below
    const det = brightDetector();
    const far: DetectedFace = { box: { x: 250, y: 250, width: 80, height: 80 }, score: 0.55, landmarks: truth(250, 250, 80) };
    const bare: DetectedFace = { box: { x: 10, y: 10, width: 50, height: 50 }, score: 0.7 };
    const r = await refineFaceLandmarks(img, [far, bare], det);
    expect(r).toEqual([{ ...far, confirmed: false }, { ...bare, confirmed: false }]);
    expect(det.shapes).toHaveLength(2); // the landmark-centred crop, then the box-centred one; none for `bare`
    img.dispose();
  });

  it('bad input: typed errors naming the argument; nothing leaks', async () => {
    const img = squareImage(100, 100, 30, 30, 40);
    const det = brightDetector();
    await expect(refineFaceLandmarks(tf.zeros([4, 4]) as unknown as tf.Tensor3D, [], det)).rejects.toThrow(ShapeError);
    await expect(refineFaceLandmarks(img, null as unknown as DetectedFace[], det)).rejects.toThrow(/detections/);
    await expect(refineFaceLandmarks(img, [], {} as FaceDetectorAdapter)).rejects.toThrow(InvalidArgumentError);
    await expect(refineFaceLandmarks(img, [], det, { cropSize: 10 })).rejects.toThrow(/options\.cropSize/);
    await expect(refineFaceLandmarks(img, [], det, { context: 0.5 })).rejects.toThrow(/options\.context/);
    await expect(refineFaceLandmarks(img, [], det, { minScore: 2 })).rejects.toThrow(/options\.minScore/);
    await expect(refineFaceLandmarks(img, [], det, { minSize: -1 })).rejects.toThrow(/options\.minSize/);
    await expectNoLeaks(() => refineFaceLandmarks(img, [coarse(30, 30, 40, 2, 2, 1.1)], det));
    img.dispose();
  });
});
