/**
 * `pnpm --filter @likeness-example/face-eval eval:finetune`: fine-tunes the
 * pretrained dlib ResNet (last 3 stages + fc, triplets with batch-hard and
 * semi-hard mining, validation people, keep-best, early stopping) on the
 * training people of the EVAL-FACES splits, on our own face preparation
 * (robust detection + dlib box with the eyes levelled, test-time flip
 * averaging: the one preparation that meets both all-40-people targets,
 * see eval:framing), and evaluates on the held-out people.
 * FINETUNE_SPLITS=0,1,2 runs all three (default: split 0 only);
 * FINETUNE_STRATEGIES=batch-hard,semi-hard,siamese (siamese: the top stages
 * and a verification head end-to-end with binary cross-entropy,
 * `fineTune` with `siameseObjective(head)`, the head first trained on the frozen
 * embeddings; reported with plain L2 on the fine-tuned encoder and with
 * the head's score); FINETUNE_FLIP=0 evaluates without test-time flip
 * averaging (`flipAveragedEncoder`, the default preparation);
 * FINETUNE_VALIDATION_FLIP=1 also scores the triplet runs' validation
 * people with flip averaging (`validationFlip`). Every fine-tuner keeps a
 * fine-tuned epoch only when a paired bootstrap over the 6 validation
 * people finds its EER below the pretrained weights' in ≥ 95 % of 1000
 * resamples (`keepBest`, the default); FINETUNE_MIN_CONFIDENCE=0 turns
 * that guard off (the previous rule: any validation gain is kept).
 *
 * FINETUNE_SELECTION chooses how the kept epoch is selected:
 * `cv` (default): k-fold cross-validation over the 30 training people
 * (`fineTune` with `select: { crossValidate }`;
 * FINETUNE_FOLDS, default 5 × 6 people; FINETUNE_CV_EPOCHS, default 5), the
 * pooled epoch kept only if a bootstrap over all 30 people finds it better
 * than the pretrained weights in ≥ 95 % of the resamples, then a final fit
 * on all 30 people (FINETUNE_STRATEGIES may add `siamese-l2`: the siamese
 * run with its folds scored by the plain L2 distance instead of the head,
 * `score: 'l2'`); `holdout`: the previous rule, 24 people train and 6
 * validate (every 5th), keep-best and early stopping.
 */
import '@likeness/backends/wasm';
import '@likeness/backends/cpu';
import * as tf from '@tensorflow/tfjs-core';
import { FaceResNet, flipAveragedEncoder, type Encoder } from '@likeness/embeddings';
import { createFaceRecognizer, loadFaceResNetFromFaceApi } from '@likeness/embeddings/node';
import { createVerificationHead, siameseObjective } from '@likeness/siamese-binary';
import { tripletObjective } from '@likeness/triplet';
import { fineTune, trainHead, type CrossValidationEpoch, type CachedCrossValidationResult } from '@likeness/training';
import { evaluateHeadOnSplit } from './siamese-head-eval';
import { type OrlImage } from './orl';
import { evaluateEncoderOnSplit, formatSummaryRow, summarize, SUMMARY_HEADER, type EvalResult } from './protocol';
import { ORL_SPLITS } from './splits';
import { embedCrops, recognizeOrl } from './orl-faces';
import { startOrlRun } from './orl-run';

async function main(): Promise<void> {
  const { backend, images, t0 } = await startOrlRun();
  const splits = (process.env.FINETUNE_SPLITS ?? '0').split(',').map(Number);
  const strategies = (process.env.FINETUNE_STRATEGIES ?? 'batch-hard,semi-hard').split(',') as ('batch-hard' | 'semi-hard' | 'siamese' | 'siamese-l2')[];
  const k = Number(process.env.FINETUNE_STAGES ?? 3);
  const flip = process.env.FINETUNE_FLIP !== '0';
  const prep = (e: Encoder): Encoder => (flip ? flipAveragedEncoder(e) : e);
  const suffix = flip ? ' + flip averaging' : '';
  const keepBest = { minConfidence: Number(process.env.FINETUNE_MIN_CONFIDENCE ?? 0.95) };
  const selection = process.env.FINETUNE_SELECTION ?? 'cv';
  if (selection !== 'cv' && selection !== 'holdout') throw new Error(`FINETUNE_SELECTION must be cv or holdout, got ${selection}`);
  const folds = Number(process.env.FINETUNE_FOLDS ?? 5), cvEpochs = Number(process.env.FINETUNE_CV_EPOCHS ?? 5);
  console.log(`ORL: ${images.length} images; backend ${backend.name}; splits ${splits.join(',')}; trainable stages ${k} + fc; test-time flip averaging ${flip ? 'on' : 'off'}; keep-best guard: ≥ ${100 * keepBest.minConfidence} % of bootstrap resamples; selection: ${selection === 'cv' ? `${folds}-fold cross-validation over the training people, ${cvEpochs} epochs per fold, then a final fit on all of them` : 'hold-out (24 train, 6 validate; keep-best, early stopping)'}`);
  const recognizer = await createFaceRecognizer();
  const { crops } = await recognizeOrl(images, recognizer); // the default pipeline's aligned crops (levelled dlib chips)
  recognizer.dispose();
  console.log('crops: createFaceRecognizer() defaults (robust detection, levelled dlib chip), 400/400 faces');
  const pos = new Map(images.map((im, i) => [`${im.person}/${im.index}`, i]));
  const subset = (ims: readonly OrlImage[]) => tf.gather(crops, ims.map((im) => pos.get(`${im.person}/${im.index}`)!)) as tf.Tensor4D;
  const pretrained = await loadFaceResNetFromFaceApi();

  const rows = new Map<string, EvalResult[]>();
  const add = (name: string, r: EvalResult) => rows.set(name, [...(rows.get(name) ?? []), r]);
  const pct = (v: number) => (100 * v).toFixed(2);
  const label = (ims: readonly OrlImage[]) => Int32Array.from(ims, (im) => Number(im.person.slice(1)));
  /** Selection by cross-validation over all 30 training people, then a final fit on all of them. */
  async function crossValidatedRuns(si: number): Promise<void> {
    const split = ORL_SPLITS[si]!;
    const trIms = images.filter((im) => split.train.includes(im.person));
    const train = { images: subset(trIms), labels: label(trIms) };
    for (const strategy of strategies) {
      const ft = FaceResNet.fromPretrained(pretrained, { trainableStages: k });
      const t = Date.now();
      const log = (e: CrossValidationEpoch) => {
        if (e.fold < 0) console.log(`  split ${si} ${strategy} final fit epoch ${e.epoch}: loss ${e.loss.toFixed(4)} (${e.seconds.toFixed(1)} s)`);
        else console.log(`  split ${si} ${strategy} fold ${e.fold} epoch ${e.epoch}: ${e.epoch === 0 ? 'start' : Number.isNaN(e.loss) ? 'no active triplet' : `loss ${e.loss.toFixed(4)}`}, fold val EER ${pct(e.validationEer)} %, val loss ${e.validationLoss.toFixed(4)} (${e.seconds.toFixed(1)} s)`);
      };
      const common = { select: { crossValidate: { folds } }, epochs: cvEpochs, seed: si, keepBest, onEpoch: log };
      let head: ReturnType<typeof createVerificationHead> | undefined;
      let r: CachedCrossValidationResult;
      if (strategy === 'siamese' || strategy === 'siamese-l2') {
        head = createVerificationHead({ embeddingSize: 128 });
        r = await fineTune(ft, train, { ...common, objective: siameseObjective(head), fitHead: { seed: si }, score: strategy === 'siamese-l2' ? 'l2' : 'head' });
      } else {
        r = await fineTune(ft, train, { ...common, objective: tripletObjective({ strategy }) });
      }
      const seconds = (Date.now() - t) / 1000;
      for (const f of r.folds) console.log(`  split ${si} ${strategy} fold people ${f.people.join(',')}: val EER by epoch ${f.history.map((h) => pct(h.validationEer)).join(' / ')} %`);
      console.log(`  split ${si} ${strategy} pooled (${r.pooledPairs.same} same-person, ${r.pooledPairs.different} different-person pairs within folds):`);
      for (const p of r.pooled) console.log(`    epoch ${p.epoch}: EER ${pct(p.eer)} %, TAR@1e-3 ${pct(p.tar)} %, loss ${p.loss.toFixed(4)}${Number.isNaN(p.confidence) ? '' : `, better than epoch 0 in ${pct(p.better)} % of resamples, worse in ${pct(p.worse)} %`}${p.epoch === r.chosenEpoch ? ' *' : ''}`);
      const name = strategy === 'siamese' ? 'fine-tuned end-to-end with the siamese head (BCE), plain L2, CV' : strategy === 'siamese-l2' ? 'fine-tuned end-to-end with the siamese head (BCE), plain L2, CV scored by L2' : `fine-tuned, ${strategy} triplets, CV`;
      const embedFineTuned = embedCrops(prep(ft), images, crops); // one cache of the fine-tuned embeddings for both evaluations
      const res = await evaluateEncoderOnSplit(embedFineTuned, split, images);
      add(`${name}${suffix}`, res);
      console.log(`split ${si} ${strategy}: candidate epoch ${r.candidateEpoch} (confidence ${pct(r.confidence)} %), kept epoch ${r.chosenEpoch}; fine-tuning ${seconds.toFixed(0)} s (feature cache ${r.cacheSeconds.toFixed(0)} s, folds ${r.foldSeconds.toFixed(0)} s, final fit ${r.finalFitSeconds.toFixed(0)} s); held-out EER ${pct(res.eer)} %, TAR@1e-3 ${pct(res.tarAtFar1e3)} %, top-1 ${pct(res.top1)} %`);
      if (head) {
        const hr = await evaluateHeadOnSplit(head, embedFineTuned, split, images);
        add(`fine-tuned end-to-end with the siamese head (BCE), head score, CV${strategy === 'siamese-l2' ? ' scored by L2' : ''}${suffix}`, hr);
        console.log(`split ${si} siamese, head score: EER ${pct(hr.eer)} %, TAR@1e-3 ${pct(hr.tarAtFar1e3)} %, top-1 ${pct(hr.top1)} %`);
        head.dispose();
      }
      ft.dispose();
    }
    train.images.dispose();
  }
  for (const si of splits) {
    const split = ORL_SPLITS[si]!;
    const base = await evaluateEncoderOnSplit(embedCrops(prep(pretrained), images, crops), split, images);
    add(`pretrained, our preparation${suffix}`, base);
    console.log(`split ${si} pretrained: EER ${pct(base.eer)} %, TAR@1e-3 ${pct(base.tarAtFar1e3)} %, top-1 ${pct(base.top1)} %`);
    if (selection === 'cv') {
      await crossValidatedRuns(si);
      continue;
    }
    // 24 training people to fine-tune on, 6 for validation (every 5th), all from split.train
    const valPeople = split.train.filter((_, i) => i % 5 === 4);
    const trainPeople = split.train.filter((p) => !valPeople.includes(p));
    const trIms = images.filter((im) => trainPeople.includes(im.person));
    const vaIms = images.filter((im) => valPeople.includes(im.person));
    const train = { images: subset(trIms), labels: label(trIms) };
    const validation = { images: subset(vaIms), labels: label(vaIms) };
    for (const strategy of strategies) {
      if (strategy === 'siamese-l2') throw new Error('siamese-l2 is a FINETUNE_SELECTION=cv strategy (use siamese with holdout)');
      const ft = FaceResNet.fromPretrained(pretrained, { trainableStages: k });
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
        r = await fineTune(ft, train, { objective: siameseObjective(head), select: { validation }, seed: si, keepBest, onEpoch: log });
      } else {
        r = await fineTune(ft, train, { objective: tripletObjective({ strategy }), select: { validation }, seed: si, keepBest, validationFlip: flip && process.env.FINETUNE_VALIDATION_FLIP === '1', onEpoch: log });
      }
      const seconds = (Date.now() - t) / 1000;
      const name = strategy === 'siamese' ? 'fine-tuned end-to-end with the siamese head (BCE), plain L2' : `fine-tuned, ${strategy} triplets`;
      const embedFineTuned = embedCrops(prep(ft), images, crops); // one cache of the fine-tuned embeddings for both evaluations
      const res = await evaluateEncoderOnSplit(embedFineTuned, split, images);
      add(`${name}${suffix}`, res);
      console.log(`split ${si} ${strategy}: best epoch ${r.bestEpoch}, fine-tuning ${seconds.toFixed(0)} s (feature cache ${r.cacheSeconds.toFixed(0)} s); held-out EER ${pct(res.eer)} %, TAR@1e-3 ${pct(res.tarAtFar1e3)} %, top-1 ${pct(res.top1)} %`);
      if (head) {
        const hr = await evaluateHeadOnSplit(head, embedFineTuned, split, images);
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
