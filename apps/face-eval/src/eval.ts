/**
 * `pnpm eval`: the ORL evaluation (docs/EVAL-FACES.md protocol) of the raw-
 * pixel baseline and of the pretrained dlib face ResNet with fixed
 * framings. Prints a table and writes ROC plots to apps/face-eval/output/.
 */
import '@likeness/backends/wasm';
import '@likeness/backends/cpu';
import { rocSvg } from '@likeness/embeddings';
import { loadFaceResNetFromFaceApi } from '@likeness/embeddings/node';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type OrlImage } from './orl';
import { evaluateAllPeople, evaluateSplits, formatSummaryRow, SUMMARY_HEADER, type EvalResult } from './protocol';
import { faceResNetEmbed, ORL_FRAMINGS } from './face-resnet-embed';
import { startOrlRun } from './orl-run';

const pct = (v: number | null) => (v === null ? '–' : (100 * v).toFixed(1));

function allRow(name: string, r: EvalResult): string {
  return `| ${name} | ${pct(r.auc)} | ${pct(r.eer)} | ${pct(r.tarAtFar1e2)} | ${pct(r.tarAtFar1e3)} | ${pct(r.top1)} |`;
}

async function main(): Promise<void> {
  const { root, out, backend, images, t0 } = await startOrlRun();
  console.log(`ORL: ${images.length} images from ${root}; backend ${backend.name}`);

  const raw = (ims: readonly OrlImage[]) => ims.map((im) => im.data);
  const net = await loadFaceResNetFromFaceApi();

  // Held-out protocol (3 splits): threshold chosen on the 30 training people
  console.log('\nHeld-out people, mean ± sample std over the 3 splits (plain L2):');
  console.log(SUMMARY_HEADER);
  const rawSplits = await evaluateSplits(() => raw, images);
  console.log(formatSummaryRow('raw pixels, no learning', rawSplits.summary));
  const crop = 'whole-padded' as const; // face-api's own framing of a non-square input
  const netSplits = await evaluateSplits(() => faceResNetEmbed(net, crop), images);
  console.log(formatSummaryRow(`pretrained dlib ResNet, ${crop}`, netSplits.summary));

  // All 40 people (the pretrained net never saw ORL)
  console.log('\nAll 40 people (79,800 pairs, 360 one-shot probes; plain L2):');
  console.log('| input | AUC % | EER % | TAR@FAR 1e-2 % | TAR@FAR 1e-3 % | one-shot top-1 % |\n|---|---|---|---|---|---|');
  const curves: { label: string; roc: EvalResult['roc'] }[] = [];
  const rawAll = await evaluateAllPeople(raw, images);
  console.log(allRow('raw pixels', rawAll));
  curves.push({ label: 'raw pixels', roc: rawAll.roc });
  for (const framing of ORL_FRAMINGS) {
    const t = Date.now();
    const r = await evaluateAllPeople(faceResNetEmbed(net, framing), images);
    console.log(allRow(`pretrained ResNet, ${framing}`, r) + ` (${((Date.now() - t) / 1000).toFixed(1)} s)`);
    curves.push({ label: `ResNet ${framing}`, roc: r.roc });
  }
  net.dispose();
  writeFileSync(join(out, 'orl-roc-all-people.svg'), rocSvg(curves, { title: 'ORL, all 40 people (plain L2)' }));
  writeFileSync(join(out, 'orl-roc-all-people-logfar.svg'), rocSvg(curves, { title: 'ORL, all 40 people (plain L2)', logFar: true }));
  writeFileSync(
    join(out, 'orl-roc-split0.svg'),
    rocSvg([{ label: 'raw pixels', roc: rawSplits.perSplit[0]!.roc }, { label: `ResNet ${crop}`, roc: netSplits.perSplit[0]!.roc }], { title: 'ORL split 0, held-out people' }),
  );
  console.log(`\nplots: ${out}/orl-roc-*.svg`);
  console.log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
