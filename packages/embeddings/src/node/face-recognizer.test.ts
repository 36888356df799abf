import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/wasm';
import { useBackend } from '@likeness/backends';
import { ImageTooLargeError } from '../errors/image-too-large-error';
import { createGallery } from '../gallery/gallery';
import type { FaceRecognizer } from '../recognizer/face-recognizer';
import { faceApiModelDir } from './face-api-weights';
import { createFaceRecognizer, type NodeImageInput } from './face-recognizer';

// face-api's own demo photos (installed with the package; offline): group photos, 3–5 faces each
const demo = join(dirname(faceApiModelDir()), 'demo');
let faces: FaceRecognizer<NodeImageInput>;

beforeAll(async () => {
  await useBackend('wasm');
  faces = await createFaceRecognizer();
}, 120_000);
afterAll(() => faces?.dispose());

describe('createFaceRecognizer (Node, face-api models)', () => {
  it('a generated group photo: every face pasted at 30–200 px is found and identified', async () => {
    // people: the faces of two demo photos, each enrolled from its own photo
    const people: { name: string; file: string; box: { x: number; y: number; width: number; height: number } }[] = [];
    const gallery = createGallery();
    for (const file of ['sample1.jpg', 'sample5.jpg']) {
      const r = await faces.embed(join(demo, file));
      r.faces.forEach((f, i) => people.push({ name: `${file}#${i}`, file, box: f.box }));
      for (const [i, f] of r.faces.entries()) await gallery.enrol(`${file}#${i}`, f.descriptor);
    }
    expect(people.length).toBeGreaterThanOrEqual(7); // 3 + 5 people in the two photos
    // paste each face (with its surroundings) so that its box is 30 … 200 px wide, on a 2400×1600 grey canvas
    const W = 2400, H = 1600, cols = 4, cw = W / cols, ch = H / Math.ceil(people.length / cols);
    const placed: { name: string; x: number; y: number; size: number }[] = [];
    const layers: sharp.OverlayOptions[] = [];
    for (const [i, p] of people.entries()) {
      const size = Math.round(200 - (170 * i) / (people.length - 1)); // the first person (face paint) largest, the last smallest
      const k = size / p.box.width;
      const meta = await sharp(join(demo, p.file)).metadata();
      const side = Math.round(p.box.width * 2.4);
      const left = Math.max(0, Math.round(p.box.x + p.box.width / 2 - side / 2)), top = Math.max(0, Math.round(p.box.y + p.box.height / 2 - side / 2));
      const ew = Math.min(side, meta.width! - left), eh = Math.min(side, meta.height! - top);
      const out = Math.max(1, Math.round(ew * k)), outH = Math.max(1, Math.round(eh * k));
      const x = Math.round((i % cols) * cw + (cw - out) / 2), y = Math.round(Math.floor(i / cols) * ch + (ch - outH) / 2);
      layers.push({ input: await sharp(join(demo, p.file)).extract({ left, top, width: ew, height: eh }).resize(out, outH).toBuffer(), left: x, top: y });
      placed.push({ name: p.name, x: x + (p.box.x - left) * k, y: y + (p.box.y - top) * k, size });
    }
    const group = await sharp({ create: { width: W, height: H, channels: 3, background: { r: 128, g: 128, b: 128 } } }).composite(layers).jpeg({ quality: 92 }).toBuffer();

    const r = await faces.identify(group, gallery);
    // every pasted face: a found face whose box centre lies in it, identified as its person
    for (const p of placed) {
      const hit = r.faces.find((f) => {
        const cx = f.box.x + f.box.width / 2, cy = f.box.y + f.box.height / 2;
        return cx > p.x && cx < p.x + p.size && cy > p.y && cy < p.y + p.size * 1.3;
      });
      expect(hit, `${p.name} (${p.size} px) not found`).toBeDefined();
      expect(hit!.identity, `${p.name} (${p.size} px)`).toBe(p.name);
      expect(hit!.confidence).toBeGreaterThan(0.5);
    }
    expect(r.faces).toHaveLength(placed.length); // and nothing else
    for (let i = 1; i < r.faces.length; i++) expect(r.faces[i - 1]!.box.width * r.faces[i - 1]!.box.height).toBeGreaterThanOrEqual(r.faces[i]!.box.width * r.faces[i]!.box.height);
    gallery.dispose();
  }, 600_000);

  it('the same face at 1× in a 1600×1200 canvas and at 0.4× in a 400×300 one gets nearly the same descriptor (framing independent of scale)', async () => {
    // measured: mean L2 0.083 (max 0.145) over these 8 faces; without refineLandmarks (the small-face search's
    // SSD framing on the large canvas, the Tiny detector's on the small one) mean 0.103 (max 0.150)
    const d: number[] = [];
    for (const file of ['sample1.jpg', 'sample5.jpg']) {
      const path = join(demo, file);
      const meta = await sharp(path).metadata();
      for (const f of (await faces.detect(path)).faces) {
        const side = Math.round(Math.max(f.box.width, f.box.height) * 2.4);
        const left = Math.max(0, Math.round(f.box.x + f.box.width / 2 - side / 2)), top = Math.max(0, Math.round(f.box.y + f.box.height / 2 - side / 2));
        const w = Math.min(side, meta.width! - left), h = Math.min(side, meta.height! - top);
        const region = await sharp(path).extract({ left, top, width: w, height: h }).png().toBuffer();
        const canvas = (width: number, height: number, input: Buffer, at: number) => sharp({ create: { width, height, channels: 3, background: { r: 128, g: 128, b: 128 } } })
          .composite([{ input, left: at, top: at }]).png().toBuffer();
        const big = (await faces.embed(await canvas(1600, 1200, region, 300))).faces[0]!;
        const small = (await faces.embed(await canvas(400, 300, await sharp(region).resize(Math.round(w * 0.4)).png().toBuffer(), 40))).faces[0]!;
        let s = 0;
        for (let k = 0; k < 128; k++) s += (big.descriptor[k]! - small.descriptor[k]!) ** 2;
        d.push(Math.sqrt(s));
      }
    }
    expect(d).toHaveLength(8);
    expect(d.reduce((a, b) => a + b, 0) / d.length).toBeLessThan(0.093);
    expect(Math.max(...d)).toBeLessThan(0.2); // different people: ≥ 0.5
  }, 600_000);

  it('a 20000×20000 header gets ImageTooLargeError before anything is decoded; nothing leaks', async () => {
    const before = tf.memory().numTensors;
    const err = await faces.embed(Buffer.from('P5\n20000 20000\n255\n')).catch((e: unknown) => e);
    expect(ImageTooLargeError.isInstance(err)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });
});
