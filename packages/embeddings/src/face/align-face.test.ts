import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, ShapeError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { alignFace, dlibFaceBox, FACE_TEMPLATE_5, landmarks68To5 } from './align-face';
import { applySimilarity, estimateSimilarity, type Point } from './similarity-transform';
import { prepareFaces } from './prepare-faces';
import type { FaceDetectorAdapter } from './face-detector';

beforeAll(async () => {
  await useBackend('cpu');
});

const H = 120, W = 100;
/** A coordinate image: channel 0 = x, channel 1 = y, channel 2 = 1 (bilinear sampling of it is exact). */
function coordImage(): tf.Tensor3D {
  const v: number[] = [];
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) v.push(x, y, 1);
  return tf.tensor3d(v, [H, W, 3]);
}

describe('face alignment', () => {
  it('estimateSimilarity recovers a known rotation + scale + translation exactly', () => {
    const th = (30 * Math.PI) / 180, s = 1.7;
    const truth = { a: s * Math.cos(th), b: s * Math.sin(th), tx: 12, ty: -4 };
    const from = FACE_TEMPLATE_5.map((p) => ({ x: p.x * 150, y: p.y * 150 }));
    const to = from.map((p) => applySimilarity(truth, p));
    const t = estimateSimilarity(from, to);
    expect(t.a).toBeCloseTo(truth.a, 9);
    expect(t.b).toBeCloseTo(truth.b, 9);
    expect(t.tx).toBeCloseTo(truth.tx, 7);
    expect(t.ty).toBeCloseTo(truth.ty, 7);
    expect(applySimilarity({ a: 0, b: 1, tx: 0, ty: 0 }, { x: 1, y: 0 })).toEqual({ x: 0, y: 1 });
  });

  it('warps a rotated face so that its landmarks land on the template (checked on a coordinate image)', () => {
    const img = coordImage();
    // a face rotated by 25°, scaled and shifted inside the image
    const th = (25 * Math.PI) / 180;
    const placed = { a: 0.5 * Math.cos(th), b: 0.5 * Math.sin(th), tx: 30, ty: 20 };
    const k = 1 / (1 + 2 * 0.25);
    const template = FACE_TEMPLATE_5.map((p) => ({ x: (0.5 + (p.x - 0.5) * k) * 150, y: (0.5 + (p.y - 0.5) * k) * 150 }));
    const landmarks = template.map((p) => applySimilarity(placed, p));
    const out = alignFace(img, [landmarks], { framing: 'template' });
    expect(out.shape).toEqual([1, 150, 150, 3]);
    const v = out.arraySync()[0]!;
    // every output pixel (u,v) holds the input coordinates it was sampled from: placed(u,v)
    for (const [u, w] of [[75, 75], [40, 60], [110, 30], [20, 130]] as const) {
      const src = applySimilarity(placed, { x: u, y: w });
      expect(v[w]![u]![0]).toBeCloseTo(src.x, 3);
      expect(v[w]![u]![1]).toBeCloseTo(src.y, 3);
    }
    tf.dispose([img, out]);
  });

  it('dlib framing: the box from eyes and mouth (hand-computed), turned so the eyes are level (checked on a coordinate image)', () => {
    // an upright face: eyes (40,50) and (60,50), mouth corners (42,70) and (58,70) → mouth centre (50,70)
    const upright: Point[] = [{ x: 40, y: 50 }, { x: 60, y: 50 }, { x: 50, y: 60 }, { x: 42, y: 70 }, { x: 58, y: 70 }];
    const size = Math.hypot(10, 20) / 0.45; // mean eye–mouth distance / 0.45 = 49.69
    const b = dlibFaceBox(upright);
    expect(b.size).toBeCloseTo(size, 9);
    expect(b.x).toBeCloseTo(50 - size / 2, 9);
    expect(b.y).toBeCloseTo(170 / 3 - 0.43 * size, 9); // centroid y = (50 + 50 + 70) / 3
    expect(b.angle).toBe(0);
    // the same face turned by 20° about (50, 60): the chip must undo the turn
    const th = (20 * Math.PI) / 180;
    const turn = (p: Point): Point => ({ x: 50 + Math.cos(th) * (p.x - 50) - Math.sin(th) * (p.y - 60), y: 60 + Math.sin(th) * (p.x - 50) + Math.cos(th) * (p.y - 60) });
    const img = coordImage();
    const out = alignFace(img, [upright.map(turn)]);
    const v = out.arraySync()[0]!;
    // dlib's box centre: the turned eyes-and-mouth centroid, 7 % of the side lower in the image (as face-api's alignDlib)
    const centroid = turn({ x: 50, y: 170 / 3 });
    const c = { x: centroid.x, y: centroid.y + 0.07 * size };
    for (const [u, w] of [[75, 75], [30, 40], [120, 110]] as const) {
      // output (u, w) samples c + R(20°)·(u − 75, w − 75)·size/150
      const dx = ((u - 75) * size) / 150, dy = ((w - 75) * size) / 150;
      const want = { x: c.x + Math.cos(th) * dx - Math.sin(th) * dy, y: c.y + Math.sin(th) * dx + Math.cos(th) * dy };
      expect(v[w]![u]![0]).toBeCloseTo(want.x, 2);
      expect(v[w]![u]![1]).toBeCloseTo(want.y, 2);
    }
    // padding widens the chip about the same centre
    const wide = alignFace(img, [upright], { padding: 0.5 }).arraySync()[0]!;
    expect(wide[75]![0]![0]).toBeCloseTo(50 - size, 2);
    expect(() => alignFace(img, [upright], { framing: 'arcface' as 'dlib' })).toThrowError(InvalidArgumentError);
    tf.dispose([img, out]);
  });

  it('reduces 68 iBUG landmarks to 5 (eye centres, nose tip, mouth corners)', () => {
    const pts: Point[] = Array.from({ length: 68 }, (_, i) => ({ x: i, y: 2 * i }));
    expect(landmarks68To5(pts)).toEqual([{ x: 38.5, y: 77 }, { x: 44.5, y: 89 }, { x: 30, y: 60 }, { x: 48, y: 96 }, { x: 54, y: 108 }]);
  });

  it('refuses bad input with typed errors', () => {
    const img = tf.zeros([10, 10, 3]) as tf.Tensor3D;
    expect(() => alignFace(img, [])).toThrowError(/one landmark set per image/);
    expect(() => alignFace(img, [[{ x: 1, y: 1 }]])).toThrowError(/5 or 68/);
    expect(() => alignFace(tf.zeros([10]) as unknown as tf.Tensor3D, [[]])).toThrowError(ShapeError);
    expect(() => estimateSimilarity([{ x: 1, y: 1 }, { x: 1, y: 1 }], [{ x: 0, y: 0 }, { x: 1, y: NaN }])).toThrowError(InvalidArgumentError);
    img.dispose();
  });

  it('prepareFaces: aligned crops with landmarks, square box crops without, low scores dropped; no leaks', async () => {
    const img = tf.div(coordImage(), 200) as tf.Tensor3D;
    const five = FACE_TEMPLATE_5.map((p) => ({ x: p.x * 60 + 20, y: p.y * 60 + 30 }));
    const detector: FaceDetectorAdapter = {
      detect: async () => [
        { box: { x: 20, y: 30, width: 60, height: 60 }, score: 0.9, landmarks: five },
        { box: { x: 10, y: 10, width: 40, height: 50 }, score: 0.8 },
        { box: { x: 0, y: 0, width: 5, height: 5 }, score: 0.1 },
      ],
    };
    const { faces, detections } = await prepareFaces(img, detector);
    expect(faces.shape).toEqual([2, 150, 150, 3]);
    expect(detections).toHaveLength(2);
    // the box crop's centre samples the box centre (30, 35)
    const c = tf.mean(tf.slice(faces, [1, 74, 74, 0], [1, 2, 2, 3]), [0, 1, 2]).arraySync() as number[];
    expect(c[0]! * 200).toBeCloseTo(30, 0);
    expect(c[1]! * 200).toBeCloseTo(35, 0);
    faces.dispose();
    await expectNoLeaks(async () => (await prepareFaces(img, detector)).faces);
    await expectNoLeaks(() => alignFace(img, [five]));
    img.dispose();
  });
});
