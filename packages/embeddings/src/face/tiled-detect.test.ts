import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import type { DetectedFace, FaceDetectorAdapter } from './face-detector';
import { mergeDetections, tiledFaceDetector } from './tiled-detect';

beforeAll(async () => {
  await useBackend('cpu');
});

const H = 600, W = 800;
/** Channel 0 = x, channel 1 = y of the ORIGINAL image: a detector reads where its view lies. */
function coordImage(): tf.Tensor3D {
  return tf.tidy(() => {
    const x = tf.tile(tf.reshape(tf.range(0, W), [1, W, 1]), [H, 1, 1]);
    const y = tf.tile(tf.reshape(tf.range(0, H), [H, 1, 1]), [1, W, 1]);
    return tf.concat([x, y, tf.zeros([H, W, 1])], 2) as tf.Tensor3D;
  });
}

const truth = [{ x: 40, y: 480, size: 12 }, { x: 484, y: 156, size: 12 }, { x: 280, y: 120, size: 168 }];

/** Sees the faces wholly inside its view whose size, shrunk to a 160 px input as a real detector would, is ≥ 8 px. */
function sizeLimitedDetector(): FaceDetectorAdapter & { calls: number } {
  return {
    calls: 0,
    async detect(image) {
      this.calls++;
      const [h, w] = image.shape;
      const c = tf.slice(image, [0, 0, 0], [1, 1, 2]);
      const corner = await c.data();
      c.dispose();
      const [x0, y0] = [corner[0]!, corner[1]!];
      const shrink = Math.min(1, 160 / Math.max(h, w));
      return truth
        .filter((f) => f.x >= x0 && f.y >= y0 && f.x + f.size <= x0 + w && f.y + f.size <= y0 + h && f.size * shrink >= 8)
        .map((f): DetectedFace => ({ box: { x: f.x - x0, y: f.y - y0, width: f.size, height: f.size }, score: 0.9, landmarks: [{ x: f.x - x0 + f.size / 3, y: f.y - y0 + f.size / 3 }] }));
    },
  };
}

describe('tiled face search', () => {
  it('finds 12 px faces the whole-image pass misses, each face once, in image pixels', async () => {
    const img = coordImage();
    const plain = sizeLimitedDetector();
    expect((await plain.detect(img)).map((d) => d.box.width)).toEqual([168]);
    const det = sizeLimitedDetector();
    const tiled = tiledFaceDetector(det, { tileSize: 160, overlap: 0.25, wholeMaxSide: 800 }); // the fake reads its offset, not its scale: whole pass unshrunk
    const found = await tiled.detect(img);
    const key = (d: DetectedFace) => `${Math.round(d.box.x)},${Math.round(d.box.y)},${d.box.width}`;
    expect(found.map(key).sort()).toEqual(truth.map((f) => `${f.x},${f.y},${f.size}`).sort());
    expect(found.find((d) => d.box.width === 12 && d.box.x === 40)!.landmarks![0]).toEqual({ x: 44, y: 484 });
    // tiles at most 120 px apart: ⌈(800 − 160) / 120⌉ + 1 = 7 columns × ⌈(600 − 160) / 120⌉ + 1 = 5 rows, plus the whole image
    expect(tiled.tilesOf(H, W)).toBe(35);
    expect(det.calls).toBe(36);
    await expectNoLeaks(() => tiled.detect(img));
    // a tile budget grows the tiles: 160 → 200 (5 × 4 = 20) → 250 (4 × 3 = 12 ≤ 12)
    const capped = tiledFaceDetector(sizeLimitedDetector(), { tileSize: 160, overlap: 0.25, maxTiles: 12 });
    expect(capped.tilesOf(H, W)).toBe(12);
    expect(() => tiledFaceDetector(sizeLimitedDetector(), { maxTiles: 0 })).toThrowError(/maxTiles/);
    img.dispose();
  });

  it('skips tiles wholly covered by faces already found (union of boxes, exact) and counts the passes that ran', async () => {
    const img = coordImage();
    // tiles of 160 px: x origins 0, 107, 213, 320, 427, 533, 640; y origins 0, 110, 220, 330, 440 (35 tiles)
    // two known boxes side by side cover x 0–400, y 0–300: the tiles inside are x0 ∈ {0, 107, 213} × y0 ∈ {0, 110}
    const side = (x: number, width: number): DetectedFace => ({ box: { x, y: 0, width, height: 300 }, score: 0.9 });
    const det = sizeLimitedDetector();
    const tiled = tiledFaceDetector(det, { tileSize: 160, overlap: 0.25, wholeMaxSide: 800 });
    const r = await tiled.search(img, { known: [side(0, 200), side(200, 200)] });
    expect(r.tilesSkipped).toBe(6);
    expect(r.passes).toBe(1 + 35 - 6);
    expect(det.calls).toBe(r.passes);
    // no tile skipped holds a face: every face is still found, the known boxes are not part of the answer
    expect(r.detections.map((d) => `${Math.round(d.box.x)},${Math.round(d.box.y)},${d.box.width}`).sort()).toEqual(truth.map((f) => `${f.x},${f.y},${f.size}`).sort());
    // a 1 px gap between the boxes (x 200–201): the tiles across it (x0 = 107) are searched
    const gap = await tiledFaceDetector(sizeLimitedDetector(), { tileSize: 160, overlap: 0.25, wholeMaxSide: 800 }).search(img, { known: [side(0, 200), side(201, 199)] });
    expect(gap.tilesSkipped).toBe(4);
    // nothing known: every tile
    expect((await tiled.search(img)).tilesSkipped).toBe(0);
    await expectNoLeaks(() => tiled.search(img, { known: [side(0, 400)] }));
    await expect(tiled.search(img, { known: 'x' as never })).rejects.toThrowError(/options\.known/);
    img.dispose();
  });

  it('skipTiles sees the whole-image faces and known ones, and stops before the tiles', async () => {
    const img = coordImage();
    const det = sizeLimitedDetector();
    const tiled = tiledFaceDetector(det, { tileSize: 160, overlap: 0.25, wholeMaxSide: 800 });
    const known: DetectedFace = { box: { x: 700, y: 500, width: 60, height: 60 }, score: 0.8 };
    let seen: readonly DetectedFace[] = [];
    const r = await tiled.search(img, { known: [known], skipTiles: (f) => { seen = f; return true; } });
    expect(seen.map((d) => d.box.width).sort((a, b) => a - b)).toEqual([60, 168]);
    expect(r).toEqual({ detections: [expect.objectContaining({ box: { x: 280, y: 120, width: 168, height: 168 } })], passes: 1, tilesSkipped: 35 });
    expect(det.calls).toBe(1);
    // the largest face a tile is laid out to hold: overlap × tile side (160, or 250 once maxTiles grows the tiles)
    expect(tiled.tileFaceLimit(H, W)).toBe(40);
    expect(tiledFaceDetector(det, { tileSize: 160, overlap: 0.25, maxTiles: 12 }).tileFaceLimit(H, W)).toBe(62.5);
    img.dispose();
  });

  it('a face the whole-image pass found keeps that detection; tiles only add faces', async () => {
    const img = coordImage();
    // the whole image sees the face at (100, 100) with score 0.6; a tile holding it answers 0.95 and other landmarks
    const det: FaceDetectorAdapter = {
      async detect(image) {
        const [h, w] = image.shape;
        const c = tf.slice(image, [0, 0, 0], [1, 1, 2]);
        const [x0, y0] = Array.from(await c.data());
        c.dispose();
        if (h === H && w === W) return [{ box: { x: 100, y: 100, width: 50, height: 50 }, score: 0.6, landmarks: [{ x: 1, y: 1 }] }];
        const inside = 100 >= x0! && 100 >= y0! && 150 <= x0! + w && 150 <= y0! + h;
        return inside ? [{ box: { x: 100 - x0!, y: 100 - y0!, width: 50, height: 50 }, score: 0.95, landmarks: [{ x: 2, y: 2 }] }] : [];
      },
    };
    const found = await tiledFaceDetector(det, { tileSize: 160, overlap: 0.25, wholeMaxSide: 800 }).detect(img);
    expect(found).toEqual([{ box: { x: 100, y: 100, width: 50, height: 50 }, score: 0.6, landmarks: [{ x: 1, y: 1 }] }]);
    img.dispose();
  });

  it('the whole-image pass sees a shrunk copy and maps its faces back', async () => {
    const seen: number[][] = [];
    const det: FaceDetectorAdapter = {
      async detect(image) {
        seen.push(image.shape);
        const [h, w] = image.shape;
        // one face at the centre, a tenth of the view wide
        return h > 400 ? [] : [{ box: { x: (w - 1) / 2, y: (h - 1) / 2, width: w / 10, height: h / 10 }, score: 0.9, landmarks: [{ x: (w - 1) / 2, y: (h - 1) / 2 }] }];
      },
    };
    const img = tf.zeros([600, 800, 3]) as tf.Tensor3D;
    const found = await tiledFaceDetector(det, { tileSize: 400, wholeMaxSide: 200, maxTiles: 1 }).detect(img);
    expect(seen[0]).toEqual([150, 200, 3]); // 800 × 600 shrunk to 200 × 150
    const whole = found.filter((d) => Math.abs(d.box.x - 399.5) < 1e-6);
    expect(whole).toHaveLength(1);
    expect(whole[0]!.landmarks![0]!.y).toBeCloseTo(299.5, 6); // the centre of 600 rows, mapped back exactly
    await expectNoLeaks(() => tiledFaceDetector(det, { tileSize: 400, wholeMaxSide: 200, maxTiles: 1 }).detect(img));
    img.dispose();
  });

  it('searches small images whole', async () => {
    const det = sizeLimitedDetector();
    const img = tf.zeros([300, 400, 3]) as tf.Tensor3D;
    await tiledFaceDetector(det, { tileSize: 416 }).detect(img);
    expect(det.calls).toBe(1);
    img.dispose();
  });

  it('mergeDetections keeps the best of overlapping boxes (hand-made cases)', () => {
    const box = (x: number, y: number, s: number, score: number): DetectedFace => ({ box: { x, y, width: s, height: s }, score });
    const merged = mergeDetections([box(0, 0, 100, 0.8), box(10, 10, 50, 0.9), box(200, 0, 50, 0.7), box(60, 0, 100, 0.6)]);
    // (10,10,50) lies inside (0,0,100): the higher score (0.9) stays; (60,0,100) overlaps (0,0,100) by 40 % of itself: kept
    expect(merged.map((d) => d.score)).toEqual([0.9, 0.7, 0.6]);
    expect(() => tiledFaceDetector({} as never)).toThrowError(InvalidArgumentError);
    expect(() => tiledFaceDetector(sizeLimitedDetector(), { tileSize: 8 })).toThrowError(/tileSize/);
  });
});
