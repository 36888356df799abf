import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { l2 } from './analyse-photo';
import { selectBackend } from './backend';
import { createFaceDetector, faceApiDemoDir, type DetectedFace, type FaceDetector } from './face-api';
import { createFaceEmbedder, createLikenessFaceEmbedder } from './face-embedder';
import { readImage, type RgbImage } from './image-io';

let detector: FaceDetector;
let image: RgbImage;
let faces: DetectedFace[];

beforeAll(async () => {
  await selectBackend('wasm');
  detector = await createFaceDetector();
  image = await readImage(join(faceApiDemoDir(), 'sample1.jpg'), { maxSide: 800 });
  faces = await detector.detect(image);
});

describe('face embedders', () => {
  it('the detector finds the three faces of sample1 with 68 landmarks inside each box (grown by half)', () => {
    expect(faces).toHaveLength(3);
    for (const f of faces) {
      expect(f.landmarks).toHaveLength(68);
      const { x, y, width: w, height: h } = f.box;
      for (const [px, py] of f.landmarks) {
        expect(px).toBeGreaterThan(x - w / 2);
        expect(px).toBeLessThan(x + 1.5 * w);
        expect(py).toBeGreaterThan(y - h / 2);
        expect(py).toBeLessThan(y + 1.5 * h);
      }
    }
  });

  it("@likeness/embeddings' dlib ResNet reproduces face-api's own descriptors (independent implementation) without leaking tensors", async () => {
    const ours = await createLikenessFaceEmbedder();
    const reference = await createFaceEmbedder();
    await ours.embed(image, faces); // warm-up (model weights stay)
    const before = tf.memory().numTensors;
    const a = await ours.embed(image, faces);
    expect(tf.memory().numTensors).toBe(before);
    const b = await reference.embed(image, faces);
    expect(a).toHaveLength(3);
    for (let i = 0; i < 3; i++) {
      expect(a[i]).toHaveLength(128);
      expect(l2(a[i]!, b[i]!)).toBeLessThan(0.01);
    }
    // and different faces are far apart compared with that agreement
    expect(l2(a[0]!, a[1]!)).toBeGreaterThan(0.3);
  });
});
