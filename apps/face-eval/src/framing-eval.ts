/**
 * `pnpm --filter @likeness-example/face-eval eval:framing`: the pretrained
 * dlib ResNet on all 40 ORL people with our own face preparation (face-api's
 * detector behind `detectFacesRobust`, no hand-tuned border), vs the plain
 * detector pass. Writes the detections to output/orl-detections.json (the
 * fine-tuning experiments reuse them).
 */
import '@likeness/backends/wasm';
import '@likeness/backends/cpu';
import * as tf from '@tensorflow/tfjs-core';
import { createFaceApiDetector, flipAveragedEncoder, type FaceApiModule, type FaceResNet } from '@likeness/embeddings';
import { faceApiModelDir, loadFaceResNetFromFaceApi } from '@likeness/embeddings/node';
import { createRequire } from 'node:module';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type OrlImage } from './orl';
import { evaluateAllPeople, evaluateSplits, formatSummaryRow, SUMMARY_HEADER, type EvalResult } from './protocol';
import { cropOrl, detectOrl, type CropMode, type OrlDetection } from './framing-prepare';
import { startOrlRun } from './orl-run';

const pct = (v: number | null) => (v === null ? '–' : (100 * v).toFixed(2));
const row = (name: string, r: EvalResult) => `| ${name} | ${pct(r.auc)} | ${pct(r.eer)} | ${pct(r.tarAtFar1e2)} | ${pct(r.tarAtFar1e3)} | ${pct(r.top1)} |`;

/** Embeds precomputed crops (keyed by person/index) with the net. */
export function embedCrops(net: { encode(x: tf.Tensor4D): tf.Tensor2D }, all: readonly OrlImage[], crops: tf.Tensor4D) {
  const key = (im: OrlImage) => `${im.person}/${im.index}`;
  const pos = new Map(all.map((im, i) => [key(im), i]));
  const cache = new Map<string, Float32Array>();
  return async (ims: readonly OrlImage[]) => {
    const missing = ims.filter((im) => !cache.has(key(im)));
    for (let i = 0; i < missing.length; i += 16) {
      const chunk = missing.slice(i, i + 16);
      const d = tf.tidy(() => net.encode(tf.gather(crops, chunk.map((im) => pos.get(key(im))!))));
      const v = (await d.data()) as Float32Array;
      d.dispose();
      chunk.forEach((im, k) => cache.set(key(im), v.slice(k * 128, (k + 1) * 128)));
    }
    return ims.map((im) => cache.get(key(im))!);
  };
}

/** Loads cached detections or runs the robust detector on all 400 images. */
export async function orlDetections(images: readonly OrlImage[], out: string, log = console.log, kind: 'ssd' | 'tiny' = (process.env.FRAMING_DETECTOR as 'ssd' | undefined) ?? 'tiny'): Promise<OrlDetection[]> {
  const file = join(out, `orl-detections-${kind}.json`);
  if (existsSync(file)) {
    const dets = JSON.parse(readFileSync(file, 'utf8')) as OrlDetection[];
    if (dets.length === images.length) return dets;
  }
  // face-api's Node build runs on the full @tensorflow/tfjs, which shares our tfjs-core engine
  const faceapi = createRequire(import.meta.url)('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApiModule;
  const detector = await createFaceApiDetector(faceapi, { kind, modelPath: faceApiModelDir() });
  log(`  face-api detector: ${kind}`);
  const t = Date.now();
  const dets = await detectOrl(images, detector, { onProgress: (n) => { if (n % 100 === 0) log(`  detected ${n}/${images.length}`); } });
  log(`  robust detection: ${((Date.now() - t) / 1000).toFixed(1)} s`);
  writeFileSync(`${file}.tmp`, JSON.stringify(dets));
  renameSync(`${file}.tmp`, file);
  return dets;
}

async function main(): Promise<void> {
  const { out, backend, images, t0 } = await startOrlRun();
  console.log(`ORL: ${images.length} images; backend ${backend.name}`);
  const dets = await orlDetections(images, out);
  const found = dets.filter((d) => d.found).length;
  const plain = dets.filter((d) => d.border === 0).length;
  const byBorder = new Map<number | null, number>();
  for (const d of dets) byBorder.set(d.border, (byBorder.get(d.border) ?? 0) + 1);
  console.log(`face found: plain pass ${plain}/400, robust (pad and retry) ${found}/400; by border: ${[...byBorder].map(([b, n]) => `${b === null ? 'none' : b}: ${n}`).join(', ')}`);
  const misses = dets.filter((d) => !d.found).map((d) => `${d.person}/${d.index}.pgm`);
  if (misses.length) console.log(`NOT FOUND (framed as the whole image instead): ${misses.join(' ')}`);

  const net: FaceResNet = await loadFaceResNetFromFaceApi();
  const tta = flipAveragedEncoder(net); // test-time flip averaging (normalize: false, like the net)
  const allModes: [string, CropMode, number][] = [['align-5, margin 0.25', 'align-5', 0.25], ['dlib box', 'dlib-box', 0], ['dlib box, eyes levelled', 'dlib-box-rotated', 0]];
  const wanted = process.env.FRAMING_MODES?.split(',');
  const modes = wanted ? allModes.filter(([, m]) => wanted.includes(m)) : allModes;
  console.log('\nAll 40 people (79,800 pairs, 360 one-shot probes; plain L2):');
  console.log('| preparation | AUC % | EER % | TAR@FAR 1e-2 % | TAR@FAR 1e-3 % | one-shot top-1 % |\n|---|---|---|---|---|---|');
  const byMode = new Map<string, ArrayLike<number>[]>();
  const report = async (name: string, embed: (ims: readonly OrlImage[]) => Promise<ArrayLike<number>[]>) => {
    const r = await evaluateAllPeople(embed, images);
    console.log(row(name, r));
    if (process.env.FRAMING_SPLITS) {
      const s = await evaluateSplits(() => embed, images);
      console.log(SUMMARY_HEADER);
      console.log(formatSummaryRow(`pretrained, ${name} (held-out people)`, s.summary));
    }
  };
  for (const [name, mode, padding] of modes) {
    const crops = cropOrl(images, dets, mode, padding);
    const t = Date.now();
    const embed = embedCrops(net, images, crops);
    await report(`robust detection + ${name}`, embed);
    byMode.set(mode, await embed(images));
    if (mode !== 'align-5') {
      const flipped = embedCrops(tta, images, crops);
      await report(`robust detection + ${name} + flip averaging`, flipped);
      byMode.set(`${mode}+flip`, await flipped(images));
    }
    console.log(`  (${name}: ${((Date.now() - t) / 1000).toFixed(1)} s)`);
    crops.dispose();
  }
  // both crops of each face, their embeddings averaged (plain and flip-averaged)
  for (const suffix of ['', '+flip']) {
    const a = byMode.get(`dlib-box${suffix}`), b = byMode.get(`dlib-box-rotated${suffix}`);
    if (!a || !b) continue;
    const both = a.map((v, i) => Float32Array.from(v, (x, k) => (x + b[i]![k]!) / 2));
    const idx = new Map(images.map((im, i) => [`${im.person}/${im.index}`, i]));
    await report(`robust detection + both dlib boxes averaged${suffix ? ' + flip averaging' : ''}`, async (ims) => ims.map((im) => both[idx.get(`${im.person}/${im.index}`)!]!));
  }
  net.dispose();
  console.log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
