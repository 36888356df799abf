/**
 * `pnpm --filter @likeness-example/face-eval eval:siamese-head`: the
 * pretrained dlib ResNet on our own face preparation (robust detection +
 * dlib box) with a siamese verification head (|e₁ − e₂| → logistic)
 * trained on the 30 training people's embeddings of each EVAL-FACES split,
 * scored on the held-out people with the protocol's metrics (pair score
 * 1 − ŷ as the distance; threshold from the training people; one-shot
 * top-1 by the highest ŷ). FINETUNE_SPLITS=0,1,2 (default all three: cheap).
 */
import '@likeness/backends/wasm';
import '@likeness/backends/cpu';
import * as tf from '@tensorflow/tfjs-core';
import { accuracyAtThreshold, equalErrorRate, rocAuc, rocCurve, tarAtFar } from '@likeness/embeddings';
import { loadFaceResNetFromFaceApi } from '@likeness/embeddings/node';
import { allPairs, calibrateHead, createVerificationHead, scorePairs, trainHead } from '@likeness/siamese-binary';
import { type OrlImage } from './orl';
import { formatSummaryRow, summarize, SUMMARY_HEADER, type EvalResult } from './protocol';
import { ORL_SPLITS } from './splits';
import { cropOrl } from './framing-prepare';
import { embedCrops, orlDetections } from './framing-eval';
import { startOrlRun } from './orl-run';

async function main(): Promise<void> {
  const { out, images, t0 } = await startOrlRun();
  const dets = await orlDetections(images, out);
  const crops = cropOrl(images, dets, 'dlib-box');
  const net = await loadFaceResNetFromFaceApi();
  const embed = embedCrops(net, images, crops);
  const splits = (process.env.FINETUNE_SPLITS ?? '0,1,2').split(',').map(Number);
  const results: EvalResult[] = [];
  const label = (ims: readonly OrlImage[]) => Int32Array.from(ims, (im) => Number(im.person.slice(1)));
  for (const si of splits) {
    const split = ORL_SPLITS[si]!;
    const train = images.filter((im) => split.train.includes(im.person));
    const test = images.filter((im) => split.test.includes(im.person));
    const eTr = tf.tensor2d((await embed(train)).map((v) => Array.from(v)));
    const eTe = tf.tensor2d((await embed(test)).map((v) => Array.from(v)));
    const head = createVerificationHead({ embeddingSize: 128 });
    await trainHead(head, eTr, label(train), { seed: si });
    const cal = calibrateHead(head, eTr, label(train), { criterion: 'balanced-accuracy' });
    const pairs = allPairs(label(test));
    const y = scorePairs(head, eTe, pairs);
    const d = Float64Array.from(y, (v) => 1 - v);
    const same = Uint8Array.from(pairs.same);
    // one-shot: enrol 1.pgm, the highest ŷ wins
    const enrolled = test.map((im, i) => [im, i] as const).filter(([im]) => im.index === 1);
    const probes = test.map((im, i) => [im, i] as const).filter(([im]) => im.index !== 1);
    const left = Int32Array.from(probes.flatMap(([, i]) => enrolled.map(() => i)));
    const right = Int32Array.from(probes.flatMap(() => enrolled.map(([, j]) => j)));
    const s = scorePairs(head, eTe, { left, right, same: new Float32Array(left.length) });
    let correct = 0;
    probes.forEach(([im], p) => {
      let best = -Infinity, who = '';
      enrolled.forEach(([en], e) => { const v = s[p * enrolled.length + e]!; if (v > best) { best = v; who = en.person; } });
      if (who === im.person) correct++;
    });
    const r: EvalResult = {
      name: `split ${si}`, auc: rocAuc(d, same), eer: equalErrorRate(d, same).eer,
      balancedAccuracy: accuracyAtThreshold(d, same, 1 - cal.threshold).balancedAccuracy, threshold: 1 - cal.threshold,
      tarAtFar1e2: tarAtFar(d, same, 1e-2).tar, tarAtFar1e3: tarAtFar(d, same, 1e-3).tar, top1: correct / probes.length,
      samePairs: same.reduce((a, b) => a + b, 0), differentPairs: same.length - same.reduce((a, b) => a + b, 0), probes: probes.length, roc: rocCurve(d, same),
    };
    console.log(`split ${si} siamese head: AUC ${(100 * r.auc).toFixed(2)} %, EER ${(100 * r.eer).toFixed(2)} %, TAR@1e-3 ${(100 * r.tarAtFar1e3).toFixed(2)} %, top-1 ${(100 * r.top1).toFixed(2)} %`);
    results.push(r);
    tf.dispose([eTr, eTe]);
    head.dispose();
  }
  console.log(SUMMARY_HEADER);
  console.log(formatSummaryRow('pretrained (our preparation) + siamese head', summarize(results)));
  net.dispose();
  crops.dispose();
  console.log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
