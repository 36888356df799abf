/**
 * Triplet-loss training of the compact encoder on ORL, evaluated with the
 * EVAL-FACES protocol on held-out people, comparing mining strategies on the
 * same budget.
 *
 *   tsx src/triplet-orl.ts --quick                      # CI: split 0, batch-hard, 60 steps
 *   tsx src/triplet-orl.ts --splits 0,1,2 --steps 150   # the README table
 *
 * Options: --splits 0,1,2  --steps N  --strategies random,semi-hard,batch-hard
 *          --scale 1|2|4 (input 112×92 / scale)  --backend wasm|cpu  --seed N  --out results.json
 *          --save-dir DIR (keeps each trained encoder as DIR/<strategy>-split<k>/model.json)
 */
import '@likeness/backends/cpu';
import '@likeness/backends/wasm';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@likeness/backends';
import { saveCompactEncoder } from '@likeness/embeddings';
import { fileSystemHandler } from '@likeness/embeddings/node';
import { join } from 'node:path';
import type { MiningStrategy } from '@likeness/triplet';
import { loadOrl, locateOrl } from './orl';
import { ORL_SPLITS } from './splits';
import { evaluateEncoderOnSplit, formatSummaryRow, summarize, SUMMARY_HEADER, type EvalResult } from './protocol';
import { embedWith, trainCompactTriplet, trainingSet } from './triplet-common';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    splits: { type: 'string' },
    steps: { type: 'string' },
    strategies: { type: 'string' },
    scale: { type: 'string', default: '4' },
    backend: { type: 'string', default: 'wasm' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
    'save-dir': { type: 'string' },
  },
});

async function main(): Promise<void> {
  let root: string;
  try {
    root = locateOrl();
  } catch (e) {
    console.error(`triplet-orl: ${(e as Error).message}`);
    process.exit(2);
  }
  const quick = values.quick!;
  const splits = (values.splits ?? (quick ? '0' : '0,1,2')).split(',').map(Number);
  const steps = Number(values.steps ?? (quick ? 60 : 150));
  const strategies = (values.strategies ?? (quick ? 'batch-hard' : 'random,semi-hard,batch-hard')).split(',') as MiningStrategy[];
  const scale = Number(values.scale);
  const seed = Number(values.seed);
  if (![1, 2, 4].includes(scale)) throw new Error('--scale must be 1, 2 or 4');
  const backend = await useBackend(values.backend!);
  const images = loadOrl(root);
  const h = 112 / scale;
  const w = 92 / scale;
  console.log(`triplet-orl: backend ${backend.name}, input ${h}×${w} (ORL 112×92 / ${scale}), ${steps} steps of P=10×K=5, splits ${splits.join(',')}, seed ${seed}`);
  const t0 = Date.now();
  const results: Record<string, EvalResult[]> = {};
  const timing: Record<string, number[]> = {};
  const raw: EvalResult[] = [];
  for (const sid of splits) {
    const split = ORL_SPLITS[sid]!;
    const data = trainingSet(images, split, scale);
    raw.push(await evaluateEncoderOnSplit(embedWith({ encode: (x) => tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D }, scale), split, images));
    for (const strategy of strategies) {
      const r = await trainCompactTriplet(data, {
        strategy, steps, scale, seed: seed + sid,
        onProgress: (p) => {
          if (p.step % 25 === 0 || p.step === steps) console.log(`  split ${sid} ${strategy} step ${p.step}/${steps} loss ${p.loss.toFixed(4)} active ${(100 * p.activeFraction).toFixed(0)} % lr ${p.learningRate.toExponential(1)} ${(p.elapsedMs / p.step).toFixed(0)} ms/step`);
        },
      });
      const ev = await evaluateEncoderOnSplit(embedWith(r.encoder, scale), split, images, { metric: 'l2' });
      if (values['save-dir']) await saveCompactEncoder(r.encoder, fileSystemHandler(join(values['save-dir'], `${strategy}-split${sid}`)));
      r.encoder.dispose();
      (results[strategy] ??= []).push(ev);
      (timing[strategy] ??= []).push(r.ms / steps);
      console.log(`split ${sid} ${strategy}: AUC ${(100 * ev.auc).toFixed(1)} EER ${(100 * ev.eer).toFixed(1)} bal.acc ${(100 * ev.balancedAccuracy!).toFixed(1)} top-1 ${(100 * ev.top1).toFixed(1)} (${(r.ms / 1000).toFixed(0)} s training)`);
    }
    data.images.dispose();
  }
  console.log(`\n${SUMMARY_HEADER}`);
  console.log(formatSummaryRow(`raw pixels ${h}×${w}, no learning`, summarize(raw)));
  for (const s of strategies) console.log(formatSummaryRow(`${s === 'random' ? 'random triplets' : s}, ${steps} steps`, summarize(results[s]!)));
  for (const s of strategies) console.log(`${s}: ${(timing[s]!.reduce((a, b) => a + b) / timing[s]!.length).toFixed(0)} ms per training step (mean over splits)`);
  console.log(`total ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  if (values.out) {
    const strip = (r: EvalResult) => ({ ...r, roc: undefined });
    writeFileSync(values.out, JSON.stringify({ backend: backend.name, scale, steps, seed, splits, raw: raw.map(strip), results: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.map(strip)])), msPerStep: timing }, null, 1));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
