import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import type { Encoder } from '../encoder';
import { flipAveragedEncoder } from '../encoder/flip-averaged-encoder';
import { NoFaceFoundError } from '../errors/no-face-found-error';
import { alignFace } from '../face/align-face';
import type { DetectedFace, FaceDetectorAdapter } from '../face/face-detector';
import type { Point } from '../face/similarity-transform';
import { createGallery } from '../gallery/gallery';
import { calibrateFaceThreshold, calibrationFromDistances, confidenceFromDistance, DEFAULT_FACE_CALIBRATION } from './face-calibration';
import { createFaceRecognizer } from './face-recognizer';

beforeAll(async () => {
  await useBackend('cpu');
});

/** A cheap encoder of 150×150 crops: 2×2 average pooling of the three channels → 12 numbers (not mirror-symmetric). */
function poolEncoder(): Encoder & { disposed: boolean } {
  return {
    inputShape: [150, 150, 3], embeddingSize: 12, normalized: false, disposed: false,
    encode: (x: tf.Tensor4D) => tf.tidy(() => {
      const w = tf.reshape(tf.linspace(0.5, 1.5, 150), [1, 1, 150, 1]);
      return tf.reshape(tf.avgPool(tf.mul(x, w) as tf.Tensor4D, 75, 75, 'valid'), [x.shape[0], 12]) as tf.Tensor2D;
    }),
    trainableVariables: () => [],
    dispose() { this.disposed = true; },
  };
}

/** Five landmarks of an upright face of eye distance `e` px with its left eye at (x, y). */
const face5 = (x: number, y: number, e: number): Point[] => [
  { x, y }, { x: x + e, y }, { x: x + e / 2, y: y + e * 0.5 }, { x: x + e * 0.1, y: y + e }, { x: x + e * 0.9, y: y + e },
];

/** Answers faces at fixed places given as fractions of the image it is shown; records what it was shown. */
function fakeDetector(faces: { at: [number, number]; eye: number; score?: number }[]) {
  const seen: number[][] = [];
  const detector: FaceDetectorAdapter = {
    async detect(image) {
      seen.push(image.shape);
      const [h, w] = image.shape;
      return faces.map((f): DetectedFace => {
        const e = f.eye * w, x = f.at[0] * w, y = f.at[1] * h;
        return { box: { x: x - e / 2, y: y - e / 2, width: 2 * e, height: 2.2 * e }, score: f.score ?? 0.9, landmarks: face5(x, y, e) };
      });
    },
  };
  return { detector, seen };
}

/** A smooth colourful image [h,w,3] in [0,1]. */
function photo(h: number, w: number, seed = 1): tf.Tensor3D {
  return tf.tidy(() => {
    const y = tf.reshape(tf.linspace(0, 1, h), [h, 1, 1]), x = tf.reshape(tf.linspace(0, 1, w), [1, w, 1]);
    const c = tf.reshape(tf.tensor1d([1, 2, 3]), [1, 1, 3]);
    return tf.add(0.5, tf.mul(0.5, tf.sin(tf.add(tf.mul(tf.add(tf.mul(x, 7 * seed), tf.mul(y, 5)), c), seed)))) as tf.Tensor3D;
  });
}

describe('createFaceRecognizer', () => {
  it('embed: every face largest first, boxes/landmarks in input pixels, descriptors = flip-averaged encoder of the dlib chip', async () => {
    const enc = poolEncoder();
    const { detector } = fakeDetector([{ at: [0.7, 0.3], eye: 0.08 }, { at: [0.2, 0.3], eye: 0.2 }]);
    const faces = await createFaceRecognizer({ detector, encoder: enc, refineLandmarks: false }); // the fake answers fractions of what it is shown: not a detector to refine with
    const img = photo(200, 300);
    const r = await faces.embed(img, { crops: true });
    expect(r.found).toBe(true);
    expect(r.faces).toHaveLength(2);
    expect(r.faces[0]!.box.width).toBeGreaterThan(r.faces[1]!.box.width);
    expect(r.faces[0]!.landmarks[0]).toEqual({ x: 60, y: 60 });
    expect([r.width, r.height, r.scale]).toEqual([300, 200, 1]);
    // independent: the same crop through flipAveragedEncoder
    const lm = face5(60, 60, 60);
    const want = tf.tidy(() => flipAveragedEncoder(enc).encode(alignFace(img, [lm])));
    const wantV = Array.from(want.dataSync());
    Array.from(r.faces[0]!.descriptor).forEach((v, i) => expect(v).toBeCloseTo(wantV[i]!, 5));
    const crop = r.faces[0]!.crop!;
    expect(crop.shape).toEqual([150, 150, 3]);
    const direct = alignFace(img, [lm]);
    expect(tf.max(tf.abs(tf.sub(tf.squeeze(direct, [0]), crop))).dataSync()[0]).toBeLessThan(1e-6);
    // without flip averaging: the encoder alone
    const plain = await createFaceRecognizer({ detector, encoder: enc, flipAveraging: false, refineLandmarks: false });
    const p = await plain.embed(img, { maxFaces: 1 });
    expect(p.faces).toHaveLength(1);
    const e0 = tf.tidy(() => enc.encode(direct)).dataSync();
    Array.from(p.faces[0]!.descriptor).forEach((v, i) => expect(v).toBeCloseTo(e0[i]!, 5));
    // quality: score × size (eyes 60 px ≥ 24) × frontality (nose on the midline) = 0.9
    expect(r.faces[0]!.quality).toBeCloseTo(0.9, 6);
    tf.dispose([want, crop, direct, r.faces[1]!.crop!, img]);
    faces.dispose();
    plain.dispose();
    expect(enc.disposed).toBe(false); // a passed encoder stays the caller's
  });

  it('shrinks a large input to the pixel budget first and maps faces back to input pixels', async () => {
    const { detector, seen } = fakeDetector([{ at: [0.5, 0.4], eye: 0.1 }]);
    const faces = await createFaceRecognizer({ detector, encoder: poolEncoder(), maxPixels: 65536, refineLandmarks: false });
    const img = photo(400, 600);
    const r = await faces.detect(img);
    expect(seen[0]![0]! * seen[0]![1]!).toBeLessThanOrEqual(65536);
    expect(r.scale).toBeCloseTo(seen[0]![1]! / 600, 9);
    // the detector saw x = 0.5 · w', which is 300 in input pixels (up to the rounding of w')
    expect(r.faces[0]!.landmarks[0]!.x).toBeCloseTo(300, 0);
    expect(r.faces[0]!.landmarks[0]!.y).toBeCloseTo(160, 0);
    expect(r.timings.detect).toBeGreaterThanOrEqual(0);
    img.dispose();
    faces.dispose();
  });

  it('runs the small-face search on large images only, merges it with the main pass, and skips pad-and-retry when it finds faces', async () => {
    const main = fakeDetector([{ at: [0.2, 0.2], eye: 0.2 }]); // one large face
    const none = fakeDetector([]);
    const smallOne = fakeDetector([{ at: [0.21, 0.21], eye: 0.18, score: 0.6 }, { at: [0.8, 0.8], eye: 0.02, score: 0.8 }]); // the same large face + a small one
    const faces = await createFaceRecognizer({ detector: main.detector, encoder: poolEncoder(), smallFaces: { detector: smallOne.detector, minSide: 400, tileSize: 416 }, refineLandmarks: false });
    const big = photo(500, 600), little = photo(200, 300);
    const r = await faces.detect(big);
    expect(r.faces).toHaveLength(2); // the large face once (the main pass's, higher score), the small one added
    expect(r.faces[0]!.score).toBe(0.9);
    expect(r.faces[1]!.score).toBe(0.8);
    expect(r.tried.smallFacePasses).toBe(1); // 600 px ≤ 1.5 tiles of 416: the whole image only (tiling: tiled-detect.test.ts)
    expect(smallOne.seen).toEqual([[500, 600, 3]]);
    expect((await faces.detect(little)).tried.smallFacePasses).toBe(0); // below minSide
    expect(smallOne.seen).toHaveLength(1);
    // the main detector finds nothing, the small-face search does: no pad-and-retry
    const only = await createFaceRecognizer({ detector: none.detector, encoder: poolEncoder(), smallFaces: { detector: smallOne.detector, minSide: 400 }, refineLandmarks: false });
    const o = await only.detect(big);
    expect(o.faces).toHaveLength(2);
    expect(o.tried.attempts).toBe(1);
    expect(none.seen).toHaveLength(1);
    await expect(createFaceRecognizer({ detector: none.detector, encoder: poolEncoder(), smallFaces: { detector: {} as never } })).rejects.toThrowError(/smallFaces\.detector/);
    tf.dispose([big, little]);
    faces.dispose();
    only.dispose();
  });

  it('frames a face the same way whether a call wants every face or only the largest (the small-face search runs for both)', async () => {
    const main = fakeDetector([{ at: [0.2, 0.2], eye: 0.2, score: 0.7 }]); // coarse framing, lower score
    const fine = fakeDetector([{ at: [0.22, 0.21], eye: 0.18, score: 0.99 }]); // the same face, framed at a finer scale
    const faces = await createFaceRecognizer({ detector: main.detector, encoder: poolEncoder(), smallFaces: { detector: fine.detector, minSide: 400, tileSize: 416 } });
    const big = photo(500, 600);
    const all = await faces.embed(big);
    const one = await faces.embed(big, { maxFaces: 1 });
    expect(all.faces).toHaveLength(1);
    expect(all.faces[0]!.score).toBe(0.99); // the finer framing won the merge
    expect(one.faces[0]!.score).toBe(0.99);
    expect(one.tried.smallFacePasses).toBe(1);
    expect(Array.from(one.faces[0]!.descriptor)).toEqual(Array.from(all.faces[0]!.descriptor));
    const v = await faces.verify(big, all.faces[0]!.descriptor);
    expect(v.distance).toBe(0);
    big.dispose();
    faces.dispose();
  });

  it('a call wanting the largest faces skips the tiles once the whole-image passes found faces too large for a tile; the same face either way', async () => {
    const none = fakeDetector([]);
    // answers a face 0.4 × the width of whatever it is shown: on the whole photo 336 px, on each 256 px tile 102 px
    const ssd = fakeDetector([{ at: [0.3, 0.3], eye: 0.2, score: 0.9 }]);
    const faces = await createFaceRecognizer({ detector: none.detector, encoder: poolEncoder(), smallFaces: { detector: ssd.detector, minSide: 400, tileSize: 256 }, refineLandmarks: false });
    const big = photo(600, 840);
    // 256 px tiles 192 px apart: 5 × 3 = 15 tiles; a tile holds faces up to 0.25 × 256 = 64 px whole
    const one = await faces.embed(big, { maxFaces: 1 });
    expect(one.tried.smallFacePasses).toBe(1);
    expect(one.tried.tilesSkipped).toBe(15);
    const all = await faces.detect(big);
    expect(all.tried.smallFacePasses + all.tried.tilesSkipped).toBe(16);
    expect(all.tried.smallFacePasses).toBeGreaterThan(1);
    expect(all.faces.length).toBeGreaterThan(1);
    expect(one.faces[0]).toMatchObject(all.faces[0]!); // the largest face: the same detection (box, landmarks, score), so the same framing
    // a largest face that the unconfirmed-face rule could drop (score 0.6 < 0.7, refining on) does not stop the search
    const weak = fakeDetector([{ at: [0.3, 0.3], eye: 0.2, score: 0.6 }]);
    const careful = await createFaceRecognizer({ detector: none.detector, encoder: poolEncoder(), smallFaces: { detector: weak.detector, minSide: 400, tileSize: 256 } });
    const c = await careful.embed(big, { maxFaces: 1 });
    expect(c.tried.smallFacePasses).toBeGreaterThan(1);
    expect(c.tried.tilesSkipped).toBeLessThan(15);
    big.dispose();
    faces.dispose();
    careful.dispose();
  });

  it('drops a weak face the detector does not find again at its native scale, flags a strong one, keeps a confirmed one', async () => {
    // answers on the whole 300×400 photo only: on every refining crop (≤ 224 px) it finds nothing
    const whole = fakeDetector([{ at: [0.2, 0.3], eye: 0.15, score: 0.6 }, { at: [0.7, 0.3], eye: 0.1, score: 0.9 }]);
    const onlyWhole: FaceDetectorAdapter = { detect: async (image) => (image.shape[1] === 400 ? whole.detector.detect(image) : []) };
    const img = photo(300, 400);
    const faces = await createFaceRecognizer({ detector: onlyWhole, encoder: poolEncoder() });
    const r = await faces.detect(img);
    expect(r.faces.map((f) => [f.score, f.confirmed])).toEqual([[0.9, false]]); // 0.6 < 0.7: dropped; 0.9: kept, flagged
    expect((await faces.embed(img, { maxFaces: 1 })).faces.map((f) => f.score)).toEqual([0.9]); // the largest was dropped: the next one
    const all = await createFaceRecognizer({ detector: onlyWhole, encoder: poolEncoder(), dropUnconfirmedBelow: 0 });
    expect((await all.detect(img)).faces.map((f) => [f.score, f.confirmed])).toEqual([[0.6, false], [0.9, false]]);
    // a detector that finds the face again on its crop confirms it
    const { detector } = fakeDetector([{ at: [0.5, 0.5], eye: 0.15, score: 0.6 }]);
    const confirmed = await createFaceRecognizer({ detector, encoder: poolEncoder() });
    expect((await confirmed.detect(img)).faces.map((f) => [f.score, f.confirmed])).toEqual([[0.6, true]]);
    await expect(createFaceRecognizer({ detector, encoder: poolEncoder(), dropUnconfirmedBelow: 2 })).rejects.toThrowError(/options\.dropUnconfirmedBelow/);
    img.dispose();
    [faces, all, confirmed].forEach((f) => f.dispose());
  });

  it('says when no face was found and what was tried; verify/enrol throw NoFaceFoundError', async () => {
    const { detector, seen } = fakeDetector([]);
    const faces = await createFaceRecognizer({ detector, encoder: poolEncoder() });
    const img = photo(60, 80);
    const r = await faces.embed(img);
    expect(r.found).toBe(false);
    expect(r.faces).toEqual([]);
    expect(r.tried).toEqual({ attempts: 4, borders: [0, 0.25, 0.5, 1], attempt: null, smallFacePasses: 0, tilesSkipped: 0 });
    expect(seen.map((s) => s[1])).toEqual([80, 120, 160, 240]); // pad and retry
    const err = await faces.verify(img, img).catch((e: unknown) => e);
    expect(NoFaceFoundError.isInstance(err)).toBe(true);
    expect((err as NoFaceFoundError).argument).toBe('a');
    await expect(faces.enrol(createGallery(), 'ann', [img])).rejects.toThrowError(/images\[0\]/);
    img.dispose();
    faces.dispose();
  });

  it('verify, identify and enrol answer with distances and calibrated confidences (checked by hand)', async () => {
    const { detector } = fakeDetector([{ at: [0.3, 0.3], eye: 0.3 }]);
    const faces = await createFaceRecognizer({ detector, encoder: poolEncoder() });
    const a = photo(120, 160, 1), b = photo(120, 160, 2);
    const da = (await faces.embed(a)).faces[0]!.descriptor, db = (await faces.embed(b)).faces[0]!.descriptor;
    const dist = Math.hypot(...Array.from(da, (v, i) => v - db[i]!));
    const v = await faces.verify(a, b);
    expect(v.distance).toBeCloseTo(dist, 5);
    expect(v.same).toBe(dist <= DEFAULT_FACE_CALIBRATION.threshold);
    expect(v.confidence).toBeCloseTo(confidenceFromDistance(DEFAULT_FACE_CALIBRATION, dist), 6);
    expect((await faces.verify(da, a)).distance).toBeCloseTo(0, 6); // a descriptor and an image
    await expect(faces.verify(da, new Float32Array(3))).rejects.toThrowError(/lengths differ/);
    // the margin rule puts the threshold midway between 0 and the a–b distance: a is known, b is unknown
    faces.useCalibration(calibrationFromDistances([0, dist], [true, false], { targetFar: 0.5 }));
    expect(faces.calibration.threshold).toBeCloseTo(dist / 2, 12);
    const gallery = createGallery();
    const ids = await faces.enrol(gallery, 'ann', a);
    expect(ids).toHaveLength(1);
    const ra = await faces.identify(a, gallery, { k: 1 });
    expect(ra.faces[0]!.identity).toBe('ann');
    expect(ra.faces[0]!.distance).toBeCloseTo(0, 5);
    const rb = await faces.identify(b, gallery);
    expect(rb.faces[0]!.identity).toBeNull();
    expect(rb.faces[0]!.distance).toBeCloseTo(dist, 5);
    expect(rb.faces[0]!.confidence).toBeCloseTo(confidenceFromDistance(faces.calibration, dist), 6);
    expect(rb.faces[0]!.candidates[0]!.identity).toBe('ann');
    await expect(faces.identify(a, {} as never)).rejects.toThrowError(InvalidArgumentError);
    gallery.dispose();
    tf.dispose([a, b]);
    faces.dispose();
  });

  it('calibrate: the threshold for a target FAR from labelled photos, applied unless apply: false', async () => {
    const { detector } = fakeDetector([{ at: [0.3, 0.3], eye: 0.3 }]);
    const faces = await createFaceRecognizer({ detector, encoder: poolEncoder() });
    const imgs = [photo(120, 160, 1), photo(120, 160, 1.1), photo(120, 160, 3), photo(120, 160, 3.1)];
    const labelled = imgs.map((image, i) => ({ image, label: i < 2 ? 'ann' : 'bob' }));
    const descriptors = await Promise.all(imgs.map(async (im) => (await faces.embed(im)).faces[0]!.descriptor));
    const want = calibrateFaceThreshold(descriptors, ['ann', 'ann', 'bob', 'bob'], { targetFar: 0.25 });
    const c = await faces.calibrate(labelled, { targetFar: 0.25, apply: false });
    expect(c.threshold).toBeCloseTo(want.threshold, 6);
    expect(faces.calibration).toBe(DEFAULT_FACE_CALIBRATION);
    await faces.calibrate(labelled, { targetFar: 0.25 });
    expect(faces.calibration.threshold).toBeCloseTo(want.threshold, 6);
    await expect(faces.calibrate(labelled.slice(0, 2))).rejects.toThrowError(/at least two photos/);
    await expect(faces.calibrate([...labelled.slice(0, 3), { image: imgs[3]!, label: '' }])).rejects.toThrowError(/labelled\[3\]\.label/);
    tf.dispose(imgs);
    faces.dispose();
  });

  it('leaks no tensor in any call, and create + dispose frees what it made', async () => {
    const { detector } = fakeDetector([{ at: [0.3, 0.3], eye: 0.3 }]);
    const img = photo(120, 160, 1), img2 = photo(120, 160, 2);
    await expectNoLeaks(async () => {
      const faces = await createFaceRecognizer({ detector, encoder: poolEncoder() });
      await faces.detect(img);
      await faces.embed(img);
      await faces.verify(img, img2);
      const g = createGallery();
      await faces.enrol(g, 'ann', [img]);
      await faces.identify(img2, g);
      await faces.calibrate([{ image: img, label: 'a' }, { image: img, label: 'a' }, { image: img2, label: 'b' }]);
      g.dispose();
      faces.dispose();
    });
    expect(img.isDisposed).toBe(false);
    tf.dispose([img, img2]);
  });

  it('refuses bad options and use after dispose with typed errors', async () => {
    const { detector } = fakeDetector([]);
    await expect(createFaceRecognizer({ detector })).rejects.toThrowError(/options\.modelUrl/);
    await expect(createFaceRecognizer({ modelUrl: '/models' })).rejects.toThrowError(/options\.faceapi/);
    await expect(createFaceRecognizer({ detector, encoder: poolEncoder(), maxPixels: 10 })).rejects.toThrowError(/maxPixels/);
    await expect(createFaceRecognizer({ detector, encoder: poolEncoder(), calibration: { threshold: 1 } as never })).rejects.toThrowError(/value\.version/);
    await expect(createFaceRecognizer({ detector: {} as never, encoder: poolEncoder() })).rejects.toThrowError(/options\.detector/);
    await expect(createFaceRecognizer({ detector, encoder: poolEncoder(), refineLandmarks: 'yes' as never })).rejects.toThrowError(/options\.refineLandmarks/);
    const faces = await createFaceRecognizer({ detector, encoder: poolEncoder() });
    const img = photo(20, 20);
    await expect(faces.embed(img, { maxFaces: 0 })).rejects.toThrowError(/maxFaces/);
    faces.dispose();
    await expect(faces.embed(img)).rejects.toThrowError(/disposed/);
    img.dispose();
  });
});
