import {
  accuracyAtThreshold,
  bestThreshold,
  equalErrorRate,
  rocAuc,
  rocCurve,
  tarAtFar,
  type RocCurve,
} from '@likeness/embeddings';
import type { OrlImage } from './orl';
import { ORL_SPLITS, type OrlSplit } from './splits';

/**
 * Embeds ORL images: one vector per image, same order. Any encoder fits
 * (a trained compact encoder, the pretrained ResNet, raw pixels).
 */
export type EmbedFn = (images: readonly OrlImage[]) => Promise<ArrayLike<number>[]> | ArrayLike<number>[];

/** How pairs are compared. @defaultValue `'l2'` */
export type PairMetric = 'l2' | 'squared-l2' | 'cosine';

/** Figures of one evaluation (a split's held-out people, or all 40). */
export interface EvalResult {
  readonly name: string;
  /** ROC AUC in [0,1], ties half. */
  readonly auc: number;
  readonly eer: number;
  /** Balanced accuracy on held-out pairs at the threshold chosen on the training people's pairs (null for "all people"). */
  readonly balancedAccuracy: number | null;
  /** That threshold (distance ≤ threshold → same), null for "all people". */
  readonly threshold: number | null;
  readonly tarAtFar1e2: number;
  readonly tarAtFar1e3: number;
  /** One-shot identification top-1 (enrol 1.pgm, identify the other nine of each person). */
  readonly top1: number;
  readonly samePairs: number;
  readonly differentPairs: number;
  readonly probes: number;
  readonly roc: RocCurve;
}

function distance(a: ArrayLike<number>, b: ArrayLike<number>, metric: PairMetric): number {
  if (metric === 'cosine') {
    let dot = 0, na = 0, nb = 0;
    for (let k = 0; k < a.length; k++) { dot += a[k]! * b[k]!; na += a[k]! * a[k]!; nb += b[k]! * b[k]!; }
    return 1 - dot / Math.sqrt(na * nb || 1);
  }
  let s = 0;
  for (let k = 0; k < a.length; k++) { const d = a[k]! - b[k]!; s += d * d; }
  return metric === 'l2' ? Math.sqrt(s) : s;
}

/**
 * The distance of every unordered pair of a set of embedded images, and
 * whether both images show the same person. (Not `allPairs` of
 * `@likeness/siamese-binary`, which lists the pairs' indices from labels.)
 *
 * @example
 * ```ts
 * const { d, same } = pairDistances(images, embeddings); // 100 images → 4,950 pairs
 * ```
 */
export function pairDistances(images: readonly OrlImage[], emb: readonly ArrayLike<number>[], metric: PairMetric = 'l2'): { d: Float64Array; same: Uint8Array } {
  const n = images.length;
  const d = new Float64Array((n * (n - 1)) / 2);
  const same = new Uint8Array(d.length);
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++, k++) {
      d[k] = distance(emb[i]!, emb[j]!, metric);
      same[k] = images[i]!.person === images[j]!.person ? 1 : 0;
    }
  }
  return { d, same };
}

/**
 * One-shot identification: enrol `1.pgm` of each person in `images`,
 * identify every other image by its nearest enrolled embedding.
 *
 * @example
 * ```ts
 * const { top1, probes } = oneShotTop1(heldOut, emb); // 100 images → 90 probes
 * ```
 */
export function oneShotTop1(images: readonly OrlImage[], emb: readonly ArrayLike<number>[], metric: PairMetric = 'l2'): { top1: number; probes: number } {
  const enrolled = images.map((im, i) => ({ im, e: emb[i]! })).filter((x) => x.im.index === 1);
  let correct = 0, probes = 0;
  images.forEach((im, i) => {
    if (im.index === 1) return;
    let best = Infinity, who = '';
    for (const g of enrolled) {
      const dd = distance(emb[i]!, g.e, metric);
      if (dd < best) { best = dd; who = g.im.person; }
    }
    probes++;
    if (who === im.person) correct++;
  });
  return { top1: probes ? correct / probes : 0, probes };
}

function metricsOf(name: string, images: readonly OrlImage[], emb: readonly ArrayLike<number>[], metric: PairMetric, threshold: number | null): EvalResult {
  const { d, same } = pairDistances(images, emb, metric);
  const positives = same.reduce((a, b) => a + b, 0);
  const { top1, probes } = oneShotTop1(images, emb, metric);
  return {
    name,
    auc: rocAuc(d, same),
    eer: equalErrorRate(d, same).eer,
    balancedAccuracy: threshold === null ? null : accuracyAtThreshold(d, same, threshold).balancedAccuracy,
    threshold,
    tarAtFar1e2: tarAtFar(d, same, 1e-2).tar,
    tarAtFar1e3: tarAtFar(d, same, 1e-3).tar,
    top1,
    samePairs: positives,
    differentPairs: d.length - positives,
    probes,
    roc: rocCurve(d, same),
  };
}

async function embedChecked(embed: EmbedFn, images: readonly OrlImage[]): Promise<ArrayLike<number>[]> {
  const emb = await embed(images);
  if (!Array.isArray(emb) || emb.length !== images.length) {
    throw new Error(`embed returned ${Array.isArray(emb) ? emb.length : typeof emb} embeddings for ${images.length} images; return one vector per image, in order.`);
  }
  const dim = emb[0]?.length;
  emb.forEach((e, i) => {
    if (e.length !== dim) throw new Error(`embedding ${i} has length ${e.length}, the first has ${dim}.`);
    for (let k = 0; k < e.length; k++) if (!Number.isFinite(e[k]!)) throw new Error(`embedding ${i} (${images[i]!.person}/${images[i]!.index}.pgm) contains ${e[k]}.`);
  });
  return emb;
}

/** Options of the evaluation functions. */
export interface EvalOptions {
  /** Pair distance. @defaultValue `'l2'` */
  metric?: PairMetric;
}

/**
 * The EVAL-FACES.md protocol on one split: embeds the 300 training
 * people's images (threshold with the best balanced accuracy on their
 * 44,850 pairs) and the 100 held-out images (4,950 pairs: AUC, EER,
 * balanced accuracy at that threshold, TAR@FAR 1e-2/1e-3; one-shot top-1
 * over 90 probes).
 *
 * @example
 * ```ts
 * const r = await evaluateEncoderOnSplit(embed, ORL_SPLITS[0], allImages); // r.auc, r.eer, r.top1
 * ```
 */
export async function evaluateEncoderOnSplit(embed: EmbedFn, split: OrlSplit, images: readonly OrlImage[], options: EvalOptions = {}): Promise<EvalResult> {
  const metric = options.metric ?? 'l2';
  const train = images.filter((im) => split.train.includes(im.person));
  const test = images.filter((im) => split.test.includes(im.person));
  if (test.length !== split.test.length * 10 || train.length !== split.train.length * 10) {
    throw new Error(`split ${split.id}: expected ${split.test.length * 10} held-out and ${split.train.length * 10} training images, got ${test.length} and ${train.length}; pass all 400 ORL images.`);
  }
  const embTrain = await embedChecked(embed, train);
  const tp = pairDistances(train, embTrain, metric);
  const threshold = bestThreshold(tp.d, tp.same, { criterion: 'balanced-accuracy' }).threshold;
  const embTest = await embedChecked(embed, test);
  return metricsOf(`split ${split.id}`, test, embTest, metric, threshold);
}

/**
 * The all-40-people variant for an encoder that never saw ORL: all 79,800
 * pairs, enrol 1.pgm and identify the other 360 (no threshold selection).
 *
 * @example
 * ```ts
 * const r = await evaluateAllPeople(embed, allImages); // r.samePairs 1800, r.probes 360
 * ```
 */
export async function evaluateAllPeople(embed: EmbedFn, images: readonly OrlImage[], options: EvalOptions = {}): Promise<EvalResult> {
  const emb = await embedChecked(embed, images);
  return metricsOf('all 40 people', images, emb, options.metric ?? 'l2', null);
}

/** Mean and sample standard deviation. */
export interface MeanStd {
  readonly mean: number;
  readonly std: number;
}

/**
 * Mean ± sample standard deviation (n − 1) of each figure over splits.
 *
 * @example
 * ```ts
 * const s = summarize(results); // s.auc.mean, s.auc.std
 * ```
 */
export function summarize(results: readonly EvalResult[]): Record<'auc' | 'eer' | 'balancedAccuracy' | 'tarAtFar1e2' | 'tarAtFar1e3' | 'top1', MeanStd> {
  const ms = (vals: number[]): MeanStd => {
    const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
    const std = vals.length > 1 ? Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / (vals.length - 1)) : 0;
    return { mean, std };
  };
  return {
    auc: ms(results.map((r) => r.auc)),
    eer: ms(results.map((r) => r.eer)),
    balancedAccuracy: ms(results.map((r) => r.balancedAccuracy ?? NaN)),
    tarAtFar1e2: ms(results.map((r) => r.tarAtFar1e2)),
    tarAtFar1e3: ms(results.map((r) => r.tarAtFar1e3)),
    top1: ms(results.map((r) => r.top1)),
  };
}

/**
 * Runs the three splits. `embedFor(split)` returns the embedding function
 * for that split (e.g. an encoder trained on `split.train` only).
 *
 * @example
 * ```ts
 * const { perSplit, summary } = await evaluateSplits(async (s) => trainOn(s.train), allImages);
 * ```
 */
export async function evaluateSplits(
  embedFor: (split: OrlSplit) => EmbedFn | Promise<EmbedFn>,
  images: readonly OrlImage[],
  options: EvalOptions = {},
): Promise<{ perSplit: EvalResult[]; summary: ReturnType<typeof summarize> }> {
  const perSplit: EvalResult[] = [];
  for (const split of ORL_SPLITS) perSplit.push(await evaluateEncoderOnSplit(await embedFor(split), split, images, options));
  return { perSplit, summary: summarize(perSplit) };
}

/**
 * One markdown table row of a summary: AUC, EER, balanced accuracy, TAR@FAR 1e-2/1e-3, top-1 in %.
 *
 * @example
 * ```ts
 * formatSummaryRow('raw pixels', summarize(results)); // '| raw pixels | 94.9 ± 1.0 | … |'
 * ```
 */
export function formatSummaryRow(name: string, s: ReturnType<typeof summarize>): string {
  const f = (m: MeanStd) => (Number.isNaN(m.mean) ? '–' : `${(100 * m.mean).toFixed(1)} ± ${(100 * m.std).toFixed(1)}`);
  return `| ${name} | ${f(s.auc)} | ${f(s.eer)} | ${f(s.balancedAccuracy)} | ${f(s.tarAtFar1e2)} | ${f(s.tarAtFar1e3)} | ${f(s.top1)} |`;
}

/** Header of {@link formatSummaryRow}'s table. @example `console.log(SUMMARY_HEADER)` */
export const SUMMARY_HEADER =
  '| strategy | AUC % | EER % | balanced acc. % | TAR@FAR 1e-2 % | TAR@FAR 1e-3 % | one-shot top-1 % |\n|---|---|---|---|---|---|---|';
