/**
 * The EVAL-FACES.md protocol for a siamese verification head: pair score
 * 1 − ŷ as the distance, the threshold from the training people's pairs
 * (`calibrateHead`, best balanced accuracy), one-shot top-1 by the highest ŷ.
 */
import * as tf from '@tensorflow/tfjs-core';
import { accuracyAtThreshold, equalErrorRate, rocAuc, rocCurve, tarAtFar } from '@likeness/embeddings';
import { allPairs, calibrateHead, scorePairs, type VerificationHead } from '@likeness/siamese-binary';
import type { OrlImage } from './orl';
import type { EmbedFn, EvalResult } from './protocol';
import type { OrlSplit } from './splits';

const label = (ims: readonly OrlImage[]) => Int32Array.from(ims, (im) => Number(im.person.slice(1)));

/**
 * Scores a trained head over an encoder's embeddings on one split's held-out people.
 *
 * @example
 * ```ts
 * const r = await evaluateHeadOnSplit(head, embedCrops(net, images, crops), ORL_SPLITS[0], images); // r.eer, r.top1
 * ```
 */
export async function evaluateHeadOnSplit(head: VerificationHead, embed: EmbedFn, split: OrlSplit, images: readonly OrlImage[]): Promise<EvalResult> {
  const train = images.filter((im) => split.train.includes(im.person));
  const test = images.filter((im) => split.test.includes(im.person));
  const eTr = tf.tensor2d((await embed(train)).map((v) => Array.from(v)));
  const eTe = tf.tensor2d((await embed(test)).map((v) => Array.from(v)));
  try {
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
    const positives = same.reduce((a, b) => a + b, 0);
    return {
      name: `split ${split.id}`, auc: rocAuc(d, same), eer: equalErrorRate(d, same).eer,
      balancedAccuracy: accuracyAtThreshold(d, same, 1 - cal.threshold).balancedAccuracy, threshold: 1 - cal.threshold,
      tarAtFar1e2: tarAtFar(d, same, 1e-2).tar, tarAtFar1e3: tarAtFar(d, same, 1e-3).tar, top1: correct / probes.length,
      samePairs: positives, differentPairs: same.length - positives, probes: probes.length, roc: rocCurve(d, same),
    };
  } finally {
    tf.dispose([eTr, eTe]);
  }
}
