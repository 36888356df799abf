/**
 * `pnpm --filter @likeness-example/face-eval eval:framing` (part of
 * `pnpm eval`): the library's one-call pipeline, `createFaceRecognizer()`
 * with no options, on all 40 ORL people and on the held-out splits; then
 * the default threshold: chosen on split 0's 30 training people at FAR
 * 1e-3 (the DEFAULT_FACE_CALIBRATION the library ships), and the FAR and
 * TAR it gives on every split's held-out people.
 */
import '@likeness/backends/wasm';
import '@likeness/backends/cpu';
import { calibrationFromDistances, DEFAULT_FACE_CALIBRATION } from '@likeness/embeddings';
import { createFaceRecognizer } from '@likeness/embeddings/node';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateAllPeople, pairDistances, evaluateSplits, formatSummaryRow, SUMMARY_HEADER, type EvalResult } from './protocol';
import { lookup, recognizeOrl } from './orl-faces';
import { ORL_SPLITS } from './splits';
import { startOrlRun } from './orl-run';

const pct = (v: number | null) => (v === null ? '–' : (100 * v).toFixed(2));
const row = (name: string, r: EvalResult) => `| ${name} | ${pct(r.auc)} | ${pct(r.eer)} | ${pct(r.tarAtFar1e2)} | ${pct(r.tarAtFar1e3)} | ${pct(r.top1)} |`;

async function main(): Promise<void> {
  const { backend, images, t0 } = await startOrlRun();
  console.log(`ORL: ${images.length} images; backend ${backend.name}`);
  const faces = await createFaceRecognizer();
  const t = Date.now();
  const { descriptors, crops, borders } = await recognizeOrl(images, faces);
  crops.dispose();
  faces.dispose();
  const byBorder = new Map<number | null, number>();
  for (const b of borders) byBorder.set(b, (byBorder.get(b) ?? 0) + 1);
  console.log(`createFaceRecognizer(), 400 images: ${((Date.now() - t) / 1000).toFixed(1)} s; face found in ${borders.filter((b) => b !== null).length}/400 (by pad-and-retry border: ${[...byBorder].map(([b, n]) => `${b ?? 'none'}: ${n}`).join(', ')})`);
  const embed = lookup(images, descriptors);

  console.log('\nAll 40 people (79,800 pairs, 360 one-shot probes; plain L2):');
  console.log('| preparation | AUC % | EER % | TAR@FAR 1e-2 % | TAR@FAR 1e-3 % | one-shot top-1 % |\n|---|---|---|---|---|---|');
  const all = await evaluateAllPeople(embed, images);
  console.log(row('createFaceRecognizer() (Tiny detector + pad-and-retry, levelled dlib chip, flip averaging)', all));
  const s = await evaluateSplits(() => embed, images);
  console.log(SUMMARY_HEADER);
  console.log(formatSummaryRow('createFaceRecognizer(), held-out people', s.summary));

  // the default threshold: split 0's training people only
  const pick = (people: readonly string[]) => {
    const ims = images.filter((im) => people.includes(im.person));
    const p = pairDistances(ims, embed(ims));
    return { d: p.d, same: Array.from(p.same, (v) => v === 1) };
  };
  const train = pick(ORL_SPLITS[0]!.train);
  const cal = calibrationFromDistances(train.d, train.same, { targetFar: 1e-3, source: 'ORL split 0 training people (s1–s30), createFaceRecognizer() defaults' });
  console.log(`\ncalibration on split 0's training people: ${JSON.stringify(cal)}`);
  const shipped = DEFAULT_FACE_CALIBRATION;
  const same = Math.abs(shipped.threshold - cal.threshold) < 1e-6;
  console.log(`the library's DEFAULT_FACE_CALIBRATION threshold ${shipped.threshold}${same ? ' (matches)' : ' (DIFFERS: update src/recognizer/face-calibration.ts)'}`);
  for (const split of ORL_SPLITS) {
    const h = pick(split.test);
    let fa = 0, nd = 0, ta = 0, ns = 0;
    h.d.forEach((d, i) => {
      if (h.same[i]) { ns++; if (d <= shipped.threshold) ta++; } else { nd++; if (d <= shipped.threshold) fa++; }
    });
    console.log(`split ${split.id} held-out people, threshold ${shipped.threshold.toFixed(4)}: FAR ${pct(fa / nd)} % (${fa}/${nd}), TAR ${pct(ta / ns)} % (${ta}/${ns})${split.id === 0 ? '' : ' (this split\'s held-out people overlap split 0\'s training people)'}`);
  }
  console.log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
