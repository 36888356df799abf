/**
 * Triplet-loss training of the compact encoder on ORL, evaluated with the
 * EVAL-FACES protocol on held-out people, comparing mining strategies on the
 * same budget.
 *
 *   tsx src/triplet-orl.ts --quick                      # CI: split 0, batch-hard, 60 steps
 *   tsx src/triplet-orl.ts --best                       # the package README's best recipe, three splits
 *   tsx src/triplet-orl.ts --best --quick               # CI: the best recipe on split 0, one member
 *   tsx src/triplet-orl.ts --splits 0,1,2 --steps 150   # three splits × three strategies
 *
 * Options: --splits 0,1,2  --steps N  --strategies random,semi-hard,batch-hard
 *          --scale 1|2|4 (input 112×92 / scale)  --backend wasm|cpu  --threads N (wasm threads)
 *          --preprocess none|standardize|equalize (also applied to the raw-pixel row)
 *          --lr 1e-3  --margin 0.2  --metric squared-l2|l2  --p 10  --k 5  --max-shift 4 (full-resolution pixels)  --warmup 0
 *          --channels 32,64,128,128  --embedding 128  --flip-average (test-time mirror averaging, also for raw pixels)
 *          --val N (model selection: train on all but the last N training people, also report
 *                   those N people as a validation split; the held-out people are reported twice: threshold
 *                   from the training people, and threshold from the N validation people)
 *          --classification W (add the additive-margin softmax over the training people, weight W; with
 *                   --strategies none it trains alone)  --rotation DEG --zoom S --brightness V (augmentFaces, edge fill)
 *          --ensemble M (M encoders from seeds seed+split+1000·m, embeddings combined by ensembleEncoder)
 *          --seed N  --out results.json  --save-dir DIR (keeps each trained encoder as DIR/<strategy>-split<k>/model.json)
 */
import '@likeness/backends/cpu';
import '@likeness/backends/wasm';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { env, useBackend } from '@likeness/backends';
import { ensembleEncoder, saveCompactEncoder, type CompactEncoder, type Encoder } from '@likeness/embeddings';
import { fileSystemHandler } from '@likeness/embeddings/node';
import type { MiningStrategy, TripletMetric } from '@likeness/triplet';
import { loadOrl, locateOrl } from './orl';
import { ORL_SPLITS, type OrlSplit } from './splits';
import { evaluateEncoderOnSplit, formatSummaryRow, summarize, SUMMARY_HEADER, type EmbedFn, type EvalResult } from './protocol';
import { embedWith, orlTensor, PREPROCESSES, trainCompactTriplet, trainingSet, type Preprocess } from './triplet-common';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    best: { type: 'boolean', default: false },
    splits: { type: 'string' },
    steps: { type: 'string' },
    strategies: { type: 'string' },
    scale: { type: 'string', default: '4' },
    backend: { type: 'string', default: 'wasm' },
    threads: { type: 'string' },
    preprocess: { type: 'string', default: 'none' },
    lr: { type: 'string', default: '1e-3' },
    margin: { type: 'string', default: '0.2' },
    metric: { type: 'string', default: 'squared-l2' },
    p: { type: 'string', default: '10' },
    k: { type: 'string', default: '5' },
    'max-shift': { type: 'string', default: '4' },
    warmup: { type: 'string', default: '0' },
    channels: { type: 'string' },
    embedding: { type: 'string' },
    'flip-average': { type: 'boolean' },
    classification: { type: 'string' },
    rotation: { type: 'string' },
    zoom: { type: 'string' },
    brightness: { type: 'string' },
    ensemble: { type: 'string' },
    val: { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
    'save-dir': { type: 'string' },
  },
});

const load = () => loadavg().map((v) => v.toFixed(2)).join(' ');

async function main(): Promise<void> {
  let root: string;
  try {
    root = locateOrl();
  } catch (e) {
    console.error(`triplet-orl: ${(e as Error).message}`);
    process.exit(2);
  }
  const quick = values.quick!;
  // --best: the recipe of the package README's best row (margin softmax alone, rotation/zoom/brightness
  // augmentation, test-time flip averaging, an ensemble of 3); each part can still be overridden
  const best = values.best!;
  const splits = (values.splits ?? (quick ? '0' : '0,1,2')).split(',').map(Number);
  const steps = Number(values.steps ?? (best ? 300 : quick ? 60 : 150));
  const strategies = (values.strategies ?? (best ? 'none' : quick ? 'batch-hard' : 'random,semi-hard,batch-hard')).split(',') as (MiningStrategy | 'none')[];
  const scale = Number(values.scale);
  const seed = Number(values.seed);
  const preprocess = values.preprocess as Preprocess;
  const nVal = Number(values.val);
  const flipAverage = values['flip-average'] ?? best;
  if (![1, 2, 4].includes(scale)) throw new Error('--scale must be 1, 2 or 4');
  if (!PREPROCESSES.includes(preprocess)) throw new Error(`--preprocess must be one of ${PREPROCESSES.join(', ')}`);
  if (!(nVal >= 0 && nVal <= 20)) throw new Error('--val must be between 0 and 20 people');
  const recipe = {
    learningRate: Number(values.lr), margin: Number(values.margin), p: Number(values.p), k: Number(values.k),
    metric: values.metric as TripletMetric, maxShift: Number(values['max-shift']), warmupSteps: Number(values.warmup),
    channels: values.channels ? values.channels.split(',').map(Number) : undefined,
    embeddingSize: values.embedding ? Number(values.embedding) : undefined,
    classification: Number(values.classification ?? (best ? 1 : 0)), rotation: Number(values.rotation ?? (best ? 10 : 0)),
    zoom: Number(values.zoom ?? (best ? 0.1 : 0)), brightness: Number(values.brightness ?? (best ? 0.1 : 0)),
  };
  const members = Number(values.ensemble ?? (best && !quick ? 3 : 1));
  if (!(Number.isInteger(members) && members >= 1)) throw new Error('--ensemble must be an integer ≥ 1');
  if (strategies.includes('none') && !recipe.classification) throw new Error("--strategies none needs --classification W (the classification term alone)");
  const rowName = (s: string) => `${s === 'random' ? 'random triplets' : s === 'none' ? 'margin softmax' : s}${s !== 'none' && recipe.classification ? ` + margin softmax ×${recipe.classification}` : ''}${members > 1 ? `, ensemble of ${members}` : ''}`;
  if (values.threads) env.wasm.numThreads = Number(values.threads);
  const backend = await useBackend(values.backend!);
  const images = loadOrl(root);
  const h = 112 / scale;
  const w = 92 / scale;
  console.log(`triplet-orl: backend ${backend.name}${values.threads ? ` (${values.threads} threads)` : ''}, input ${h}×${w} (ORL 112×92 / ${scale}), preprocess ${preprocess}${flipAverage ? ', mirror-averaged embeddings' : ''}, ${steps} steps of P=${recipe.p}×K=${recipe.k}, lr ${recipe.learningRate} cosine, warm-up ${recipe.warmupSteps}, margin ${recipe.margin} on ${recipe.metric}, shifts ±${recipe.maxShift} px (full res.)${recipe.rotation || recipe.zoom || recipe.brightness ? `, rotation ±${recipe.rotation}°, zoom ±${recipe.zoom}, brightness/contrast ±${recipe.brightness}` : ''}${recipe.classification ? `, margin-softmax weight ${recipe.classification}` : ''}${members > 1 ? `, ensembles of ${members}` : ''}, channels ${recipe.channels?.join('/') ?? 'default'}, splits ${splits.join(',')}${nVal ? `, validation on the last ${nVal} training people` : ''}, seed ${seed}; ${cpus().length} cores, load ${load()}`);
  const t0 = Date.now();
  const results: Record<string, EvalResult[]> = {};
  const valResults: Record<string, EvalResult[]> = {};
  const calResults: Record<string, EvalResult[]> = {};
  const rawCal: EvalResult[] = [];
  const timing: Record<string, number[]> = {};
  const runSeconds: Record<string, number[]> = {};
  const raw: EvalResult[] = [];
  const rawVal: EvalResult[] = [];
  const rawEmbed: EmbedFn = (ims) => {
    const x = orlTensor(ims, scale, preprocess);
    const v = tf.tidy(() => {
      const flat = tf.reshape(x, [x.shape[0], -1]);
      return flipAverage ? tf.add(flat, tf.reshape(tf.reverse(x, 2), [x.shape[0], -1])) : flat;
    });
    const d = v.shape[1]!;
    const data = v.dataSync() as Float32Array;
    tf.dispose([x, v]);
    return Array.from({ length: ims.length }, (_, i) => data.slice(i * d, (i + 1) * d));
  };
  const fmt = (ev: EvalResult) => `AUC ${(100 * ev.auc).toFixed(1)} EER ${(100 * ev.eer).toFixed(1)} bal.acc ${(100 * ev.balancedAccuracy!).toFixed(1)} TAR@1e-2 ${(100 * ev.tarAtFar1e2).toFixed(1)} top-1 ${(100 * ev.top1).toFixed(1)}`;
  for (const sid of splits) {
    const split = ORL_SPLITS[sid]!;
    // Model selection split: the last nVal training people become validation people.
    const valSplit: OrlSplit | null = nVal ? { id: sid, test: split.train.slice(-nVal), train: split.train.slice(0, -nVal) } : null;
    const trainPeople: OrlSplit = valSplit ? { ...split, train: valSplit.train } : split;
    // The held-out people again, with the threshold chosen on the validation people (never trained on).
    const calSplit: OrlSplit | null = nVal ? { id: sid, test: split.test, train: split.train.slice(-nVal) } : null;
    const data = trainingSet(images, trainPeople, scale, preprocess);
    const rawEv = await evaluateEncoderOnSplit(rawEmbed, split, images);
    raw.push(rawEv);
    console.log(`split ${sid} raw pixels: ${fmt(rawEv)}`);
    if (valSplit) {
      const rv = await evaluateEncoderOnSplit(rawEmbed, valSplit, images);
      rawVal.push(rv);
      console.log(`split ${sid} raw pixels [validation people]: ${fmt(rv)}`);
      const rc = await evaluateEncoderOnSplit(rawEmbed, calSplit!, images);
      rawCal.push(rc);
      console.log(`split ${sid} raw pixels [held-out, threshold from validation people]: ${fmt(rc)}`);
    }
    for (const strategy of strategies) {
      const trained: CompactEncoder[] = [];
      const r: { ms: number; warningCodes: Record<string, number> } = { ms: 0, warningCodes: {} };
      for (let m = 0; m < members; m++) {
        const one = await trainCompactTriplet(data, {
          strategy, steps, scale, seed: seed + sid + 1000 * m, ...recipe,
          onProgress: (p) => {
            if (p.step === 1 || p.step % 50 === 0 || p.step === steps) console.log(`  split ${sid} ${strategy}${members > 1 ? ` member ${m + 1}/${members}` : ''} step ${p.step}/${steps} loss ${p.loss.toFixed(4)}${p.classificationLoss !== undefined ? ` (classification ${p.classificationLoss.toFixed(3)})` : ''}${strategy === 'none' ? '' : ` active ${(100 * p.activeFraction).toFixed(0)} %`} mean d ${p.meanDistance.toFixed(3)} lr ${p.learningRate.toExponential(1)} ${(p.elapsedMs / p.step).toFixed(0)} ms/step, load ${load()}`);
          },
        });
        trained.push(one.encoder);
        r.ms += one.ms;
        for (const [c, n] of Object.entries(one.warningCodes)) r.warningCodes[c] = (r.warningCodes[c] ?? 0) + n;
      }
      const encoder: Encoder = members > 1 ? ensembleEncoder(trained) : trained[0]!;
      const embed = embedWith(encoder, scale, { preprocess, flipAverage });
      const ev = await evaluateEncoderOnSplit(embed, split, images, { metric: 'l2' });
      if (valSplit) {
        const vv = await evaluateEncoderOnSplit(embed, valSplit, images, { metric: 'l2' });
        (valResults[strategy] ??= []).push(vv);
        console.log(`split ${sid} ${strategy} [validation people]: ${fmt(vv)}`);
        const cv = await evaluateEncoderOnSplit(embed, calSplit!, images, { metric: 'l2' });
        (calResults[strategy] ??= []).push(cv);
        console.log(`split ${sid} ${strategy} [held-out, threshold from validation people]: ${fmt(cv)}`);
      }
      if (values['save-dir']) for (const [m, enc] of trained.entries()) await saveCompactEncoder(enc, fileSystemHandler(join(values['save-dir'], `${strategy}-split${sid}${members > 1 ? `-member${m + 1}` : ''}`)));
      encoder.dispose();
      (results[strategy] ??= []).push(ev);
      (timing[strategy] ??= []).push(r.ms / (steps * members));
      (runSeconds[strategy] ??= []).push(r.ms / 1000);
      const warn = Object.entries(r.warningCodes).map(([c, n]) => `${n} ${c}`).join(', ') || 'none';
      console.log(`split ${sid} ${strategy}: ${fmt(ev)} (${(r.ms / 1000).toFixed(0)} s training, warnings: ${warn}, load ${load()})`);
    }
    data.images.dispose();
  }
  const label = `${h}×${w}${preprocess === 'none' ? '' : `, ${preprocess}`}${flipAverage ? ', mirror-avg.' : ''}`;
  console.log(`\n${SUMMARY_HEADER}`);
  console.log(formatSummaryRow(`raw pixels ${label}, no learning`, summarize(raw)));
  for (const s of strategies) console.log(formatSummaryRow(`${rowName(s)}, ${steps} steps`, summarize(results[s]!)));
  if (nVal) {
    console.log(`\nvalidation people (last ${nVal} training people of each split; trained on the other ${30 - nVal}):\n${SUMMARY_HEADER}`);
    console.log(formatSummaryRow(`raw pixels ${label}, no learning`, summarize(rawVal)));
    for (const s of strategies) console.log(formatSummaryRow(`${rowName(s)}, ${steps} steps`, summarize(valResults[s]!)));
    console.log(`\nheld-out people, threshold chosen on the ${nVal} validation people (not trained on):\n${SUMMARY_HEADER}`);
    console.log(formatSummaryRow(`raw pixels ${label}, no learning`, summarize(rawCal)));
    for (const s of strategies) console.log(formatSummaryRow(`${rowName(s)}, ${steps} steps`, summarize(calResults[s]!)));
  }
  for (const s of strategies) {
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    console.log(`${s}: ${mean(timing[s]!).toFixed(0)} ms per training step, ${mean(runSeconds[s]!).toFixed(0)} s per training run (mean over splits; max ${Math.max(...runSeconds[s]!).toFixed(0)} s)`);
  }
  console.log(`total ${((Date.now() - t0) / 1000).toFixed(0)} s, load ${load()}`);
  if (values.out) {
    const strip = (r: EvalResult) => ({ ...r, roc: undefined });
    const strips = (o: Record<string, EvalResult[]>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.map(strip)]));
    writeFileSync(values.out, JSON.stringify({ backend: backend.name, threads: values.threads ?? null, scale, preprocess, flipAverage, steps, seed, splits, recipe, val: nVal, raw: raw.map(strip), rawVal: rawVal.map(strip), results: strips(results), valResults: strips(valResults), rawCal: rawCal.map(strip), calResults: strips(calResults), msPerStep: timing, secondsPerRun: runSeconds }, null, 1));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
