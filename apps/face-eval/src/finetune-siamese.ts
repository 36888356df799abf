/**
 * `pnpm --filter @likeness-example/face-eval eval:siamese-head`: the
 * pretrained dlib ResNet on our own face preparation (robust detection +
 * dlib box with the eyes levelled + test-time flip averaging, as
 * eval:finetune; FINETUNE_FLIP=0) with a siamese verification head (|e₁ − e₂| → logistic)
 * trained on the 30 training people's embeddings of each EVAL-FACES split,
 * scored on the held-out people with the protocol's metrics (pair score
 * 1 − ŷ as the distance; threshold from the training people; one-shot
 * top-1 by the highest ŷ). FINETUNE_SPLITS=0,1,2 (default all three: cheap).
 */
import '@likeness/backends/wasm';
import '@likeness/backends/cpu';
import * as tf from '@tensorflow/tfjs-core';
import { flipAveragedEncoder } from '@likeness/embeddings';
import { createFaceRecognizer, loadFaceResNetFromFaceApi } from '@likeness/embeddings/node';
import { createVerificationHead } from '@likeness/siamese-binary';
import { trainHead } from '@likeness/training';
import { evaluateHeadOnSplit } from './siamese-head-eval';
import { type OrlImage } from './orl';
import { formatSummaryRow, summarize, SUMMARY_HEADER, type EvalResult } from './protocol';
import { ORL_SPLITS } from './splits';
import { embedCrops, recognizeOrl } from './orl-faces';
import { startOrlRun } from './orl-run';

async function main(): Promise<void> {
  const { images, t0 } = await startOrlRun();
  const recognizer = await createFaceRecognizer();
  const { crops } = await recognizeOrl(images, recognizer); // the default pipeline's aligned crops
  recognizer.dispose();
  const net = await loadFaceResNetFromFaceApi();
  const embed = embedCrops(process.env.FINETUNE_FLIP === '0' ? net : flipAveragedEncoder(net), images, crops);
  const splits = (process.env.FINETUNE_SPLITS ?? '0,1,2').split(',').map(Number);
  const results: EvalResult[] = [];
  const label = (ims: readonly OrlImage[]) => Int32Array.from(ims, (im) => Number(im.person.slice(1)));
  for (const si of splits) {
    const split = ORL_SPLITS[si]!;
    const train = images.filter((im) => split.train.includes(im.person));
    const eTr = tf.tensor2d((await embed(train)).map((v) => Array.from(v)));
    const head = createVerificationHead({ embeddingSize: 128 });
    await trainHead(head, eTr, label(train), { seed: si });
    eTr.dispose();
    const r = await evaluateHeadOnSplit(head, embed, split, images);
    console.log(`split ${si} siamese head: AUC ${(100 * r.auc).toFixed(2)} %, EER ${(100 * r.eer).toFixed(2)} %, TAR@1e-3 ${(100 * r.tarAtFar1e3).toFixed(2)} %, top-1 ${(100 * r.top1).toFixed(2)} %`);
    results.push(r);
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
