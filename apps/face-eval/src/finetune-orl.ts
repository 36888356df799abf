/**
 * `pnpm --filter @likeness-example/face-eval eval:finetune`: fine-tunes the
 * pretrained dlib ResNet (last 3 stages + fc, triplets with batch-hard and
 * semi-hard mining, validation people, keep-best, early stopping) on the
 * training people of the EVAL-FACES splits, on our own face preparation
 * (robust detection + dlib box with the eyes levelled, test-time flip
 * averaging: the one preparation that meets both all-40-people targets,
 * see eval:framing), and evaluates on the held-out people.
 * FINETUNE_CROP=dlib-box for the unrotated box.
 * FINETUNE_SPLITS=0,1,2 runs all three (default: split 0 only);
 * FINETUNE_STRATEGIES=batch-hard,semi-hard,siamese (siamese: the top stages
 * and a verification head end-to-end with binary cross-entropy,
 * `fineTuneFaceResNetSiamese`, the head first trained on the frozen
 * embeddings; reported with plain L2 on the fine-tuned encoder and with
 * the head's score); FINETUNE_FLIP=0 evaluates without test-time flip
 * averaging (`flipAveragedEncoder`, the default preparation);
 * FINETUNE_VALIDATION_FLIP=1 also scores the triplet runs' validation
 * people with flip averaging (`validationFlip`). Every fine-tuner keeps a
 * fine-tuned epoch only when a paired bootstrap over the 6 validation
 * people finds its EER below the pretrained weights' in ≥ 95 % of 1000
 * resamples (`keepBest`, the default); FINETUNE_MIN_CONFIDENCE=0 turns
 * that guard off (the previous rule: any validation gain is kept).
 */
import '@likeness/backends/wasm';
import '@likeness/backends/cpu';
import * as tf from '@tensorflow/tfjs-core';
import { FineTunableFaceResNet, flipAveragedEncoder, type Encoder } from '@likeness/embeddings';
import { loadFaceResNetFromFaceApi } from '@likeness/embeddings/node';
import { fineTuneFaceResNet } from '@likeness/triplet';
import { createVerificationHead, fineTuneFaceResNetSiamese, trainHead } from '@likeness/siamese-binary';
import { evaluateHeadOnSplit } from './siamese-head-eval';
import { type OrlImage } from './orl';
import { evaluateEncoderOnSplit, formatSummaryRow, summarize, SUMMARY_HEADER, type EvalResult } from './protocol';
import { ORL_SPLITS } from './splits';
import { cropOrl, type CropMode } from './framing-prepare';
import { embedCrops, orlDetections } from './framing-eval';
import { startOrlRun } from './orl-run';

async function main(): Promise<void> {
  const { out, backend, images, t0 } = await startOrlRun();
  const splits = (process.env.FINETUNE_SPLITS ?? '0').split(',').map(Number);
  const strategies = (process.env.FINETUNE_STRATEGIES ?? 'batch-hard,semi-hard').split(',') as ('batch-hard' | 'semi-hard' | 'siamese')[];
  const k = Number(process.env.FINETUNE_STAGES ?? 3);
  const flip = process.env.FINETUNE_FLIP !== '0';
  const prep = (e: Encoder): Encoder => (flip ? flipAveragedEncoder(e) : e);
  const suffix = flip ? ' + flip averaging' : '';
  const keepBest = { minConfidence: Number(process.env.FINETUNE_MIN_CONFIDENCE ?? 0.95) };
  console.log(`ORL: ${images.length} images; backend ${backend.name}; splits ${splits.join(',')}; trainable stages ${k} + fc; test-time flip averaging ${flip ? 'on' : 'off'}; keep-best guard: ≥ ${100 * keepBest.minConfidence} % of bootstrap resamples`);
  const dets = await orlDetections(images, out);
  console.log(`faces found by the robust detection: ${dets.filter((d) => d.found).length}/400`);
  const cropMode = (process.env.FINETUNE_CROP ?? 'dlib-box-rotated') as CropMode;
  console.log(`crops: ${cropMode}`);
  const crops = cropOrl(images, dets, cropMode);
  const pos = new Map(images.map((im, i) => [`${im.person}/${im.index}`, i]));
  const subset = (ims: readonly OrlImage[]) => tf.gather(crops, ims.map((im) => pos.get(`${im.person}/${im.index}`)!)) as tf.Tensor4D;
  const pretrained = await loadFaceResNetFromFaceApi();

  const rows = new Map<string, EvalResult[]>();
  const add = (name: string, r: EvalResult) => rows.set(name, [...(rows.get(name) ?? []), r]);
  const pct = (v: number) => (100 * v).toFixed(2);
  for (const si of splits) {
    const split = ORL_SPLITS[si]!;
    const base = await evaluateEncoderOnSplit(embedCrops(prep(pretrained), images, crops), split, images);
    add(`pretrained, our preparation${suffix}`, base);
    console.log(`split ${si} pretrained: EER ${pct(base.eer)} %, TAR@1e-3 ${pct(base.tarAtFar1e3)} %, top-1 ${pct(base.top1)} %`);
    // 24 training people to fine-tune on, 6 for validation (every 5th), all from split.train
    const valPeople = split.train.filter((_, i) => i % 5 === 4);
    const trainPeople = split.train.filter((p) => !valPeople.includes(p));
    const trIms = images.filter((im) => trainPeople.includes(im.person));
    const vaIms = images.filter((im) => valPeople.includes(im.person));
    const label = (ims: readonly OrlImage[]) => Int32Array.from(ims, (im) => Number(im.person.slice(1)));
    const train = { images: subset(trIms), labels: label(trIms) };
    const validation = { images: subset(vaIms), labels: label(vaIms) };
    for (const strategy of strategies) {
      const ft = FineTunableFaceResNet.fromPretrained(pretrained, { trainableStages: k });
      const t = Date.now();
      const log = (e: { epoch: number; loss: number; validationEer: number; validationAuc: number; validationLoss: number; confidence: number; best: boolean; seconds: number }) =>
        console.log(`  split ${si} ${strategy} epoch ${e.epoch}: ${Number.isNaN(e.loss) ? 'baseline (no step yet)' : `loss ${e.loss.toFixed(4)}`}, val EER ${pct(e.validationEer)} %, AUC ${pct(e.validationAuc)} %, val loss ${e.validationLoss.toFixed(4)}${Number.isNaN(e.confidence) ? '' : `, better than epoch 0 in ${pct(e.confidence)} % of resamples`}${e.best ? ' *' : ''} (${e.seconds.toFixed(1)} s)`);
      let head: ReturnType<typeof createVerificationHead> | undefined;
      let r: { bestEpoch: number; cacheSeconds: number };
      if (strategy === 'siamese') {
        // the head first learns on the frozen embeddings of the 24 training people, then net top + head end-to-end
        head = createVerificationHead({ embeddingSize: 128 });
        const e = tf.tidy(() => ft.encode(train.images));
        await trainHead(head, e, train.labels, { seed: si });
        e.dispose();
        r = await fineTuneFaceResNetSiamese(ft, head, train, { validation, seed: si, keepBest, onEpoch: log });
      } else {
        r = await fineTuneFaceResNet(ft, train, { validation, strategy, seed: si, keepBest, validationFlip: flip && process.env.FINETUNE_VALIDATION_FLIP === '1', onEpoch: log });
      }
      const seconds = (Date.now() - t) / 1000;
      const name = strategy === 'siamese' ? 'fine-tuned end-to-end with the siamese head (BCE), plain L2' : `fine-tuned, ${strategy} triplets`;
      const res = await evaluateEncoderOnSplit(embedCrops(prep(ft), images, crops), split, images);
      add(`${name}${suffix}`, res);
      console.log(`split ${si} ${strategy}: best epoch ${r.bestEpoch}, fine-tuning ${seconds.toFixed(0)} s (feature cache ${r.cacheSeconds.toFixed(0)} s); held-out EER ${pct(res.eer)} %, TAR@1e-3 ${pct(res.tarAtFar1e3)} %, top-1 ${pct(res.top1)} %`);
      if (head) {
        const hr = await evaluateHeadOnSplit(head, embedCrops(prep(ft), images, crops), split, images);
        add(`fine-tuned end-to-end with the siamese head (BCE), head score${suffix}`, hr);
        console.log(`split ${si} siamese, head score: EER ${pct(hr.eer)} %, TAR@1e-3 ${pct(hr.tarAtFar1e3)} %, top-1 ${pct(hr.top1)} %`);
        head.dispose();
      }
      ft.dispose();
    }
    tf.dispose([train.images, validation.images]);
  }
  console.log(`\nHeld-out people of split(s) ${splits.join(',')} (mean ± sample std; plain L2):`);
  console.log(SUMMARY_HEADER);
  for (const [name, rs] of rows) console.log(formatSummaryRow(name, summarize(rs)));
  pretrained.dispose();
  crops.dispose();
  console.log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
