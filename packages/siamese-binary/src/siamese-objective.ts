import { assertNumber, describeValue, InvalidArgumentError } from '@likeness/backends';
import { VerificationHead } from './verification-head';

/** What {@link siameseObjective} takes besides the head. */
export interface SiameseObjectiveOptions {
  /** Pairs per batch. @defaultValue `32` */
  batchSize?: number;
  /** Share of same-person pairs in a batch, in [0, 1]. @defaultValue `0.5` */
  positiveFraction?: number;
}

/** A siamese objective for the trainers of `@likeness/training`: the head and the pair options, checked and frozen. */
export interface SiameseObjective extends Readonly<SiameseObjectiveOptions> {
  /** Tells the trainers which objective this is. */
  readonly kind: 'siamese';
  /** The verification head trained with the encoder (the caller owns it). */
  readonly head: VerificationHead;
}

/**
 * Binary cross-entropy of a verification head on balanced same/different
 * pairs, as an objective that `train(encoder, faces, { objective })` and
 * `fineTune(net, faces, { objective, select })` of `@likeness/training`
 * run: the encoder (both sides share it) and `head` learn together. Checks
 * the arguments now (typed errors naming `siameseObjective`); the head is
 * not copied — the trainers update it in place.
 *
 * @example
 * ```ts
 * const head = createVerificationHead({ embeddingSize: 128 });
 * await train(encoder, { images, labels }, { objective: siameseObjective(head, { batchSize: 32 }), steps: 200 });
 * ```
 */
export function siameseObjective(head: VerificationHead, options: SiameseObjectiveOptions = {}): SiameseObjective {
  const fn = 'siameseObjective';
  if (!(head instanceof VerificationHead)) {
    throw new InvalidArgumentError({ fn, argument: 'head', message: `expected a VerificationHead (createVerificationHead), got ${describeValue(head)}.` });
  }
  if (options == null || typeof options !== 'object') {
    throw new InvalidArgumentError({ fn, argument: 'options', message: `expected an options object, got ${describeValue(options)}.` });
  }
  const out: { -readonly [K in keyof SiameseObjective]: SiameseObjective[K] } = { kind: 'siamese', head };
  if (options.batchSize !== undefined) {
    assertNumber(options.batchSize, fn, 'options.batchSize', { integer: true, min: 1 });
    out.batchSize = options.batchSize;
  }
  if (options.positiveFraction !== undefined) {
    assertNumber(options.positiveFraction, fn, 'options.positiveFraction', { min: 0, max: 1 });
    out.positiveFraction = options.positiveFraction;
  }
  return Object.freeze(out);
}
