/**
 * Siamese binary verification on ORL with the EVAL-FACES splits:
 *  (a) a head over the pretrained dlib face ResNet (frozen, embeddings stored once),
 *  (b) encoder + head trained end-to-end from scratch with binary cross-entropy,
 *  (c) the triplet-trained compact encoder with a distance threshold, and with a frozen head.
 *
 *   tsx src/siamese-orl.ts --quick                     # CI: split 0, (a) and (b) with 60 steps
 *   tsx src/siamese-orl.ts --splits 0,1,2 --steps 100 --triplet-dir /tmp/orl-runs/enc
 *
 * Options: --splits  --steps (end-to-end)  --head-steps  --scale 1|2|4  --backend  --seed
 *          --crop tight|whole (ResNet input)  --triplet-dir DIR (encoders saved by triplet-orl --save-dir)
 *          --skip a,b,c  --out results.json
 */
import '@likeness/backends/cpu';
import '@likeness/backends/wasm';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@likeness/backends';
import { accuracyAtThreshold, createCompactEncoder, equalErrorRate, loadCompactEncoder, rocAuc, type Encoder } from '@likeness/embeddings';
import { fileSystemHandler, loadFaceResNetFromFaceApi } from '@likeness/embeddings/node';
import { allPairs, calibrateHead, createVerificationHead, scorePairs, siameseObjective, type VerificationHead } from '@likeness/siamese-binary';
import { train, trainHead } from '@likeness/training';
import { flipAndShift } from '@likeness/triplet';
import { loadOrl, locateOrl, type OrlImage } from './orl';
import { ORL_SPLITS, type OrlSplit } from './splits';
import { evaluateEncoderOnSplit, type MeanStd } from './protocol';
import { orlTensor, trainCompactTriplet, trainingSet } from './triplet-common';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    splits: { type: 'string' },
    steps: { type: 'string' },
    'head-steps': { type: 'string', default: '400' },
    scale: { type: 'string', default: '4' },
    backend: { type: 'string', default: 'wasm' },
    seed: { type: 'string', default: '1' },
    crop: { type: 'string', default: 'tight' },
    'triplet-dir': { type: 'string' },
    skip: { type: 'string', default: '' },
    out: { type: 'string' },
  },
});

interface Row { auc: number; eer: number; balancedAccuracy: number; top1: number }

/** ORL grey 112×92 → the ResNet's 150×150 RGB: a fixed crop (or the whole frame), resized. */
function resnetInput(images: readonly OrlImage[], crop: string): tf.Tensor4D {
  return tf.tidy(() => {
    const x = orlTensor(images, 1);
    // tight: rows 16…104, columns 4…88 (the face, little background); whole: the full frame
    const box = crop === 'whole' ? [0, 0, 1, 1] : [16 / 111, 4 / 91, 104 / 111, 88 / 91];
    const boxes = tf.tensor2d(Array.from({ length: images.length }, () => box), [images.length, 4]);
    const r = tf.image.cropAndResize(x, boxes, tf.range(0, images.length, 1, 'int32') as tf.Tensor1D, [150, 150]);
    return tf.tile(r, [1, 1, 1, 3]) as tf.Tensor4D;
  });
}

/** Embeds in chunks; returns a kept [N,D] tensor in the order of `images`. */
function embedAll(encode: (x: tf.Tensor4D) => tf.Tensor2D, images: readonly OrlImage[], prep: (ims: readonly OrlImage[]) => tf.Tensor4D, chunk: number): tf.Tensor2D {
  const parts: tf.Tensor2D[] = [];
  for (let s = 0; s < images.length; s += chunk) parts.push(tf.tidy(() => encode(prep(images.slice(s, s + chunk)))));
  const all = tf.concat(parts, 0) as tf.Tensor2D;
  tf.dispose(parts);
  return all;
}

/** EVAL-FACES metrics for a head over stored embeddings: calibrate on training people, measure on held-out. */
function evaluateHead(head: VerificationHead, emb: tf.Tensor2D, images: readonly OrlImage[], split: OrlSplit): Row {
  const idx = (people: readonly string[]) => images.map((im, i) => (people.includes(im.person) ? i : -1)).filter((i) => i >= 0);
  const trainIdx = idx(split.train);
  const testIdx = idx(split.test);
  const eTrain = tf.gather(emb, trainIdx) as tf.Tensor2D;
  const eTest = tf.gather(emb, testIdx) as tf.Tensor2D;
  const cal = calibrateHead(head, eTrain, trainIdx.map((i) => ORL_PEOPLE_INDEX(images[i]!.person)));
  const testImages = testIdx.map((i) => images[i]!);
  const labels = testImages.map((im) => ORL_PEOPLE_INDEX(im.person));
  const pairs = allPairs(labels);
  const p = scorePairs(head, eTest, pairs);
  const same = pairs.same;
  // one-shot: enrol 1.pgm, identify the other nine by the highest ŷ
  const enrolled = testImages.map((im, i) => (im.index === 1 ? i : -1)).filter((i) => i >= 0);
  let correct = 0, probes = 0;
  testImages.forEach((im, i) => {
    if (im.index === 1) return;
    const s = scorePairs(head, eTest, { left: Int32Array.from(enrolled, () => i), right: Int32Array.from(enrolled), same: new Float32Array(enrolled.length) });
    const best = enrolled[s.indexOf(Math.max(...s))]!;
    probes++;
    if (testImages[best]!.person === im.person) correct++;
  });
  tf.dispose([eTrain, eTest]);
  return {
    auc: rocAuc(p, same, { kind: 'similarity' }),
    eer: equalErrorRate(p, same, { kind: 'similarity' }).eer,
    balancedAccuracy: accuracyAtThreshold(p, same, cal.threshold, { kind: 'similarity' }).balancedAccuracy,
    top1: correct / probes,
  };
}
const ORL_PEOPLE_INDEX = (person: string) => Number(person.slice(1)) - 1;

function headLabels(images: readonly OrlImage[], people: readonly string[]): { idx: number[]; labels: number[] } {
  const idx = images.map((im, i) => (people.includes(im.person) ? i : -1)).filter((i) => i >= 0);
  return { idx, labels: idx.map((i) => ORL_PEOPLE_INDEX(images[i]!.person)) };
}

async function trainHeadOn(emb: tf.Tensor2D, images: readonly OrlImage[], split: OrlSplit, steps: number, seed: number, nonNegative = false): Promise<VerificationHead> {
  const { idx, labels } = headLabels(images, split.train);
  const e = tf.gather(emb, idx) as tf.Tensor2D;
  const head = createVerificationHead({ embeddingSize: emb.shape[1], form: nonNegative ? 'chi2' : 'abs', initialWeight: 0, initialBias: 0 });
  await trainHead(head, e, labels, { steps, batchSize: 128, learningRate: 0.02, seed });
  e.dispose();
  return head;
}

function ms(vals: number[]): MeanStd {
  const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
  const std = vals.length > 1 ? Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / (vals.length - 1)) : 0;
  return { mean, std };
}
function fmtRow(name: string, rows: Row[]): string {
  const f = (k: keyof Row) => { const m = ms(rows.map((r) => r[k])); return `${(100 * m.mean).toFixed(1)} ± ${(100 * m.std).toFixed(1)}`; };
  return `| ${name} | ${f('auc')} | ${f('eer')} | ${f('balancedAccuracy')} | ${f('top1')} |`;
}

async function main(): Promise<void> {
  let root: string;
  try {
    root = locateOrl();
  } catch (e) {
    console.error(`siamese-orl: ${(e as Error).message}`);
    process.exit(2);
  }
  const quick = values.quick!;
  const splits = (values.splits ?? (quick ? '0' : '0,1,2')).split(',').map(Number);
  const steps = Number(values.steps ?? (quick ? 60 : 100));
  const headSteps = Number(values['head-steps']);
  const scale = Number(values.scale);
  const seed = Number(values.seed);
  const skip = new Set(values.skip!.split(',').filter(Boolean));
  if (quick) skip.add('c');
  const backend = await useBackend(values.backend!);
  const images = loadOrl(root);
  const t0 = Date.now();
  console.log(`siamese-orl: backend ${backend.name}, splits ${splits.join(',')}, end-to-end ${steps} steps at ${112 / scale}×${92 / scale}, head-only ${headSteps} steps`);
  const rows: Record<string, Row[]> = {};
  const push = (k: string, r: Row) => {
    (rows[k] ??= []).push(r);
    console.log(`  ${k}: AUC ${(100 * r.auc).toFixed(1)} EER ${(100 * r.eer).toFixed(1)} bal.acc ${(100 * r.balancedAccuracy).toFixed(1)} top-1 ${(100 * r.top1).toFixed(1)}`);
  };

  // (a) head over the pretrained ResNet: all 400 images embedded once.
  let resnetEmb: tf.Tensor2D | null = null;
  if (!skip.has('a')) {
    const net = await loadFaceResNetFromFaceApi();
    const t = Date.now();
    resnetEmb = embedAll((x) => net.encode(x), images, (ims) => resnetInput(ims, values.crop!), 20);
    net.dispose();
    console.log(`ResNet: 400 images embedded once in ${((Date.now() - t) / 1000).toFixed(0)} s (crop: ${values.crop})`);
  }
  for (const sid of splits) {
    const split = ORL_SPLITS[sid]!;
    console.log(`split ${sid}`);
    if (resnetEmb) {
      const emb = resnetEmb;
      const d = await evaluateEncoderOnSplit((ims) => ims.map((im) => tf.tidy(() => tf.slice(emb, [images.indexOf(im), 0], [1, -1]).dataSync())), split, images, { metric: 'l2' });
      push('(a0) pretrained ResNet, plain L2 threshold', { auc: d.auc, eer: d.eer, balancedAccuracy: d.balancedAccuracy!, top1: d.top1 });
      const head = await trainHeadOn(emb, images, split, headSteps, seed);
      push('(a) pretrained ResNet + siamese head (abs)', evaluateHead(head, emb, images, split));
      head.dispose();
    }
    if (!skip.has('b')) {
      const data = trainingSet(images, split, scale);
      const [, h, w] = data.images.shape;
      const encoder = createCompactEncoder({ inputShape: [h, w, 1], seed: seed + sid });
      const head = createVerificationHead({ embeddingSize: encoder.embeddingSize });
      const t = Date.now();
      await train(encoder, data, {
        objective: siameseObjective(head, { batchSize: 32 }), steps, learningRate: 1e-3, seed: seed + sid,
        augment: (x, step) => flipAndShift(x, { maxShift: Math.max(1, Math.round(4 / scale)), seed: step }),
        onProgress: (p) => { if (p.step % 25 === 0) console.log(`  end-to-end step ${p.step}/${steps} loss ${p.loss.toFixed(3)} batch acc ${(100 * p.accuracy).toFixed(0)} % ${(p.elapsedMs / p.step).toFixed(0)} ms/step`); },
      });
      console.log(`  end-to-end training ${((Date.now() - t) / 1000).toFixed(0)} s`);
      const emb = embedAll((x) => encoder.encode(x), images, (ims) => orlTensor(ims, scale), 50);
      push('(b) compact encoder + head, end-to-end from scratch', evaluateHead(head, emb, images, split));
      tf.dispose([emb, data.images]);
      head.dispose();
      encoder.dispose();
    }
    if (!skip.has('c')) {
      const dir = values['triplet-dir'] && join(values['triplet-dir'], `batch-hard-split${sid}`);
      let encoder: Encoder;
      if (dir && existsSync(join(dir, 'model.json'))) encoder = await loadCompactEncoder(fileSystemHandler(dir));
      else {
        const data = trainingSet(images, split, scale);
        encoder = (await trainCompactTriplet(data, { strategy: 'batch-hard', steps, scale, seed: seed + sid })).encoder;
        data.images.dispose();
      }
      const emb = embedAll((x) => encoder.encode(x), images, (ims) => orlTensor(ims, scale), 50);
      const d = await evaluateEncoderOnSplit((ims) => ims.map((im) => tf.tidy(() => tf.slice(emb, [images.indexOf(im), 0], [1, -1]).dataSync())), split, images, { metric: 'l2' });
      push('(c) triplet batch-hard encoder, L2 threshold', { auc: d.auc, eer: d.eer, balancedAccuracy: d.balancedAccuracy!, top1: d.top1 });
      const head = await trainHeadOn(emb, images, split, headSteps, seed);
      push('(c+) triplet batch-hard encoder + frozen siamese head', evaluateHead(head, emb, images, split));
      tf.dispose([emb]);
      head.dispose();
      encoder.dispose();
    }
  }
  resnetEmb?.dispose();
  console.log('\n| model | AUC % | EER % | balanced acc. % | one-shot top-1 % |\n|---|---|---|---|---|');
  for (const [k, r] of Object.entries(rows)) console.log(fmtRow(k, r));
  console.log(`total ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  if (values.out) writeFileSync(values.out, JSON.stringify({ backend: backend.name, splits, steps, headSteps, scale, crop: values.crop, rows }, null, 1));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
