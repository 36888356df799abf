import { loadOrl, locateOrl } from './orl';
import { evaluateAllPeople, evaluateSplits, formatSummaryRow, SUMMARY_HEADER } from './protocol';

async function main(): Promise<void> {
  let root: string;
  try {
    root = locateOrl();
  } catch (e) {
    console.error(`face-eval: ${(e as Error).message}`);
    process.exit(2);
  }
  const t0 = Date.now();
  const images = loadOrl(root);
  console.log(`ORL: ${images.length} images from ${root}`);
  const raw = (ims: readonly { data: Float32Array }[]) => ims.map((im) => im.data);
  const rawSplits = await evaluateSplits(() => raw, images);
  console.log(SUMMARY_HEADER);
  console.log(formatSummaryRow('raw pixels, no learning (L2)', rawSplits.summary));
  const rawAll = await evaluateAllPeople(raw, images);
  console.log(`raw pixels, all 40 people: AUC ${(100 * rawAll.auc).toFixed(1)} %, EER ${(100 * rawAll.eer).toFixed(1)} %, top-1 ${(100 * rawAll.top1).toFixed(1)} %`);
  console.log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
