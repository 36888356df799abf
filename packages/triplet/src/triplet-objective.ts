import { assertNumber, assertOneOf, describeValue, InvalidArgumentError } from '@likeness/backends';
import type { MarginSoftmaxOptions } from './margin-softmax-loss';
import { MINING_STRATEGIES, type MiningStrategy } from './mining/mine-triplets';
import { SEMI_HARD_FALLBACKS, type SemiHardFallback } from './mining/mine-from-distances';
import { TRIPLET_METRICS, TRIPLET_REDUCTIONS, type TripletMetric, type TripletReduction } from './triplet-loss';

/**
 * The joint classification term of the triplet objective: an additive-margin
 * softmax (`marginSoftmaxLoss`) over the training identities, with one
 * learned proxy per identity that the trainer creates, trains with the
 * encoder and disposes at the end.
 */
export interface ClassificationOptions extends MarginSoftmaxOptions {
  /** Weight of the term in the step's loss (the triplet term has weight 1). @defaultValue `1` */
  weight?: number;
}

/**
 * What {@link tripletObjective} takes. Every field is optional; a field left
 * out takes the default of the trainer that runs the objective
 * (`train`: margin 0.2 on squared L2, P = 10 × K = 5; `fineTune`: margin 0.1
 * on L2, P = 8 × K = 4 — see `@likeness/training`).
 */
export interface TripletObjectiveOptions {
  /**
   * How triplets are chosen in each P×K batch; `'none'` trains with the
   * `classification` term alone. `fineTune` takes `'batch-hard'` or
   * `'semi-hard'`. @defaultValue `'batch-hard'`
   */
  strategy?: MiningStrategy | 'none';
  /** α in max(d(a,p) − d(a,n) + α, 0). */
  margin?: number;
  /** d: `'squared-l2'` or `'l2'`. */
  metric?: TripletMetric;
  /** How a batch's triplet losses are reduced (`train` only). @defaultValue `'mean-active'` for batch-all, else `'mean'` */
  reduction?: TripletReduction;
  /** Semi-hard mining's fallback (`train` only). @defaultValue `'least-hard'` */
  fallback?: SemiHardFallback;
  /** P identities per batch. */
  p?: number;
  /** K images per identity. */
  k?: number;
  /** Adds the margin-softmax term over the training identities (`train` only). */
  classification?: ClassificationOptions | boolean;
}

/** A triplet objective for the trainers of `@likeness/training`: the options, checked and frozen. */
export interface TripletObjective extends Readonly<TripletObjectiveOptions> {
  /** Tells the trainers which objective this is. */
  readonly kind: 'triplet';
}

/**
 * The triplet loss with online mining as an objective that
 * `train(encoder, faces, { objective })` and `fineTune(net, faces, {
 * objective, select })` of `@likeness/training` run. Checks the options now
 * (typed errors naming `tripletObjective`) and returns them frozen.
 *
 * @example
 * ```ts
 * const objective = tripletObjective({ strategy: 'semi-hard', margin: 0.2 });
 * await train(encoder, { images, labels }, { objective, steps: 300 });
 * ```
 */
export function tripletObjective(options: TripletObjectiveOptions = {}): TripletObjective {
  const fn = 'tripletObjective';
  if (options == null || typeof options !== 'object') {
    throw new InvalidArgumentError({ fn, argument: 'options', message: `expected an options object, got ${describeValue(options)}.` });
  }
  const o = options;
  if (o.strategy !== undefined) assertOneOf(o.strategy, [...MINING_STRATEGIES, 'none'], fn, 'options.strategy');
  if (o.margin !== undefined) assertNumber(o.margin, fn, 'options.margin', { min: 0 });
  if (o.metric !== undefined) assertOneOf(o.metric, TRIPLET_METRICS, fn, 'options.metric');
  if (o.reduction !== undefined) assertOneOf(o.reduction, TRIPLET_REDUCTIONS, fn, 'options.reduction');
  if (o.fallback !== undefined) assertOneOf(o.fallback, SEMI_HARD_FALLBACKS, fn, 'options.fallback');
  if (o.p !== undefined) assertNumber(o.p, fn, 'options.p', { integer: true, min: 2 });
  if (o.k !== undefined) assertNumber(o.k, fn, 'options.k', { integer: true, min: 2 });
  if (o.classification !== undefined && typeof o.classification !== 'boolean' && (o.classification === null || typeof o.classification !== 'object')) {
    throw new InvalidArgumentError({ fn, argument: 'options.classification', message: 'expected true or { weight?, scale?, margin?, labelSmoothing? }.' });
  }
  if (o.strategy === 'none' && (o.classification === undefined || o.classification === false)) {
    throw new InvalidArgumentError({ fn, argument: 'options.strategy', message: "'none' trains with the classification term alone: give options.classification too, or choose a mining strategy." });
  }
  const out: { -readonly [K in keyof TripletObjective]: TripletObjective[K] } = { kind: 'triplet' };
  for (const key of ['strategy', 'margin', 'metric', 'reduction', 'fallback', 'p', 'k', 'classification'] as const) {
    if (o[key] !== undefined) (out as Record<string, unknown>)[key] = typeof o[key] === 'object' ? Object.freeze({ ...(o[key] as object) }) : o[key];
  }
  return Object.freeze(out);
}
