import * as tf from '@tensorflow/tfjs-core';
import { describeValue, InvalidArgumentError } from '@likeness/backends';
import { tarAtFar } from '../metrics/tar-at-far';

/**
 * A decision threshold and a confidence curve for plain-L2 distances
 * between face descriptors, chosen on labelled faces. Plain data: store it
 * with `JSON.stringify` (with a gallery's metadata, in a file…) and read it
 * back with {@link parseFaceCalibration}.
 */
export interface FaceCalibration {
  /** Format version of this object. */
  readonly version: 1;
  /** The distance the threshold is in. */
  readonly metric: 'l2';
  /** Same person when distance ≤ threshold. */
  readonly threshold: number;
  /** The false accept rate the threshold was chosen for. */
  readonly targetFar: number;
  /** FAR and TAR the threshold reaches on the calibration pairs themselves. */
  readonly far: number;
  /** The fraction of the calibration's same-person pairs at distance ≤ threshold (measured on those pairs, not held out). */
  readonly tar: number;
  /**
   * Calibrated confidence that two faces show the same person,
   * `1 / (1 + exp(slope · (distance − midpoint)))`: a logistic fit (Platt
   * scaling) of the calibration pairs, classes weighted equally (a prior of
   * one half), so it reads "same or different, with no prior either way".
   */
  readonly logistic: {
    /** The plain L2 distance at which the confidence is ½. */
    readonly midpoint: number;
    /** Steepness per unit of distance; positive when the confidence falls as the distance grows (a sensible fit). */
    readonly slope: number;
  };
  /** How many pairs it was fitted on. */
  readonly pairs: {
    /** Same-person pairs (both photos with one label). */
    readonly same: number;
    /** Different-person pairs. */
    readonly different: number;
  };
  /** Free text: what it was calibrated on. */
  readonly source: string;
}

/** Options of {@link calibrateFaceThreshold} and {@link calibrationFromDistances}. */
export interface CalibrateOptions {
  /** The false accept rate to hold. @defaultValue `1e-3` */
  targetFar?: number;
  /** Stored in {@link FaceCalibration.source}. @defaultValue `'user'` */
  source?: string;
}

/**
 * The default calibration of `createFaceRecognizer`: chosen on the 30 ORL
 * training people of split 0 (s1–s30: 1,350 same-person and 43,500
 * different-person pairs) with the default pipeline (robust detection,
 * levelled dlib chip, flip averaging), target FAR 1e-3: threshold 0.5018
 * (dlib's customary 0.6 lets 4 % of different-person pairs through on ORL).
 * On the 10 held-out people (s31–s40), never looked at, it gives the FAR
 * and TAR stated in the package README. Re-derived and checked by
 * `pnpm eval` (apps/face-eval, eval:framing).
 */
export const DEFAULT_FACE_CALIBRATION: FaceCalibration = Object.freeze({
  version: 1,
  metric: 'l2',
  threshold: 0.5018221199234228,
  targetFar: 1e-3,
  far: 0.0009885057471264369,
  tar: 0.9918518518518519,
  logistic: Object.freeze({ midpoint: 0.5290454927456268, slope: 57.728389387112045 }),
  pairs: Object.freeze({ same: 1350, different: 43500 }),
  source: 'ORL split 0 training people (s1–s30), createFaceRecognizer() defaults',
}) as FaceCalibration;

/** Weighted 1-D logistic regression p = σ(a + b·d) by Newton's method, classes weighted to equal total mass. */
function fitLogistic(d: ArrayLike<number>, same: ArrayLike<boolean>): { midpoint: number; slope: number } {
  let nPos = 0;
  for (let i = 0; i < d.length; i++) if (same[i]) nPos++;
  const nNeg = d.length - nPos;
  const wPos = 0.5 / nPos, wNeg = 0.5 / nNeg;
  let a = 0, b = 0;
  // start from the class means' midpoint with a moderate slope
  let mPos = 0, mNeg = 0;
  for (let i = 0; i < d.length; i++) { if (same[i]) mPos += d[i]!; else mNeg += d[i]!; }
  mPos /= nPos; mNeg /= nNeg;
  b = -4 / Math.max(1e-6, mNeg - mPos);
  a = -b * (mPos + mNeg) / 2;
  const l2 = 1e-6; // a whisper of ridge keeps separable data finite
  for (let it = 0; it < 100; it++) {
    let ga = 0, gb = -l2 * b, haa = 0, hab = 0, hbb = l2;
    for (let i = 0; i < d.length; i++) {
      const w = same[i] ? wPos : wNeg;
      const z = a + b * d[i]!;
      const p = 1 / (1 + Math.exp(-z));
      const r = (same[i] ? 1 : 0) - p;
      const h = w * p * (1 - p);
      ga += w * r; gb += w * r * d[i]!;
      haa += h; hab += h * d[i]!; hbb += h * d[i]! * d[i]!;
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 1e-300)) break;
    const da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det;
    a += da; b += db;
    if (Math.abs(da) + Math.abs(db) < 1e-10) break;
  }
  // σ(a + b·d) = 1 / (1 + exp(slope·(d − midpoint))) with slope = −b, midpoint = −a/b
  return { midpoint: -a / b, slope: -b };
}

function checkTargetFar(fn: string, targetFar: unknown): number {
  if (targetFar === undefined) return 1e-3;
  if (typeof targetFar !== 'number' || !(targetFar > 0 && targetFar < 1)) {
    throw new InvalidArgumentError({ fn, argument: 'options.targetFar', message: `expected a rate in (0, 1) such as 1e-3, got ${describeValue(targetFar)}.` });
  }
  return targetFar;
}

/**
 * A calibration from pair distances already computed: `distances[i]` is the
 * plain L2 distance of pair i, `same[i]` whether it shows one person. Needs
 * at least one pair of each kind; the threshold reaches FAR ≤ targetFar on
 * these pairs (at 1e-3, a few thousand different-person pairs make it
 * meaningful).
 *
 * **Margin rule.** Of the thresholds that hold FAR ≤ `targetFar`, the one
 * with the highest TAR accepts every pair up to some observed distance `a`
 * (the last accepted one) and rejects the next larger observed distance `b`
 * (always held by a different-person pair, else it would have been
 * accepted too). The threshold is put midway, `(a + b) / 2`, so it lies on
 * no observed distance: the FAR and TAR stated are exactly those of
 * `distance ≤ threshold` on these pairs, and rounding a pair's distance (a
 * float32 copy in a gallery, another backend) does not flip it unless it
 * moves by half the gap. Ties count as one observed distance: pairs at the
 * same distance are accepted or rejected together. When even the smallest
 * distance cannot be accepted, `a` is 0 (the threshold is half the smallest
 * distance, TAR 0).
 *
 * @throws InvalidArgumentError when no threshold ≥ 0 rejects enough
 * different-person pairs (different-person pairs at distance 0 beyond what
 * `targetFar` allows: the same photo labelled as two people).
 *
 * @example
 * ```ts
 * const cal = calibrationFromDistances([0.3, 0.4, 0.8, 0.9], [true, true, false, false], { targetFar: 0.01 });
 * cal.threshold; // 0.6, midway between 0.4 (last accepted) and 0.8 (first rejected)
 * ```
 */
export function calibrationFromDistances(distances: ArrayLike<number>, same: ArrayLike<boolean>, options: CalibrateOptions = {}): FaceCalibration {
  const fn = 'calibrationFromDistances';
  const targetFar = checkTargetFar(fn, options.targetFar);
  if (distances == null || typeof distances.length !== 'number' || same == null || same.length !== distances.length) {
    throw new InvalidArgumentError({ fn, argument: 'same', message: `expected one boolean per distance (${distances?.length}), got ${describeValue(same)}.` });
  }
  let nSame = 0;
  for (let i = 0; i < distances.length; i++) {
    const v = distances[i]!;
    if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
      throw new InvalidArgumentError({ fn, argument: `distances[${i}]`, message: `expected a finite distance ≥ 0, got ${describeValue(v)}.` });
    }
    if (same[i]) nSame++;
  }
  const nDiff = distances.length - nSame;
  if (nSame === 0 || nDiff === 0) {
    throw new InvalidArgumentError({ fn, argument: 'same', message: `needs same-person and different-person pairs; got ${nSame} same and ${nDiff} different. Label at least two photos of one person and one photo of another.` });
  }
  const t = tarAtFar(distances, Array.from(same, Boolean), targetFar, { kind: 'distance' });
  // the margin rule: midway between the last accepted distance and the next larger observed one
  let accepted = t.threshold, next = Infinity;
  if (Number.isFinite(accepted)) {
    for (let i = 0; i < distances.length; i++) if (distances[i]! > accepted && distances[i]! < next) next = distances[i]!;
  } else {
    // nothing can be accepted: below the smallest distance, from 0
    accepted = 0;
    for (let i = 0; i < distances.length; i++) next = Math.min(next, distances[i]!);
    if (next === 0) {
      throw new InvalidArgumentError({ fn, argument: 'distances', message: `different-person pairs at distance 0 are more than targetFar ${targetFar} allows, so no threshold ≥ 0 holds it: is one photo labelled as two people? Remove the duplicate or raise options.targetFar.` });
    }
  }
  return {
    version: 1,
    metric: 'l2',
    // FAR ≤ targetFar < 1 leaves a rejected different-person pair above `accepted`, so `next` is finite
    threshold: Number.isFinite(next) ? (accepted + next) / 2 : accepted,
    targetFar,
    far: t.far,
    tar: t.tar,
    logistic: fitLogistic(distances, Array.from(same, Boolean)),
    pairs: { same: nSame, different: nDiff },
    source: options.source ?? 'user',
  };
}

/**
 * A calibration from labelled descriptors (`embeddings[i]` shows person
 * `labels[i]`): every pair is scored with plain L2, then
 * {@link calibrationFromDistances}.
 *
 * @example
 * ```ts
 * const cal = calibrateFaceThreshold(descriptors, ['ann', 'ann', 'bob', 'bob'], { targetFar: 1e-2 });
 * gallery metadata ← JSON.stringify(cal)
 * ```
 */
export function calibrateFaceThreshold(
  embeddings: tf.Tensor2D | readonly (Float32Array | readonly number[])[], labels: readonly string[], options: CalibrateOptions = {},
): FaceCalibration {
  const fn = 'calibrateFaceThreshold';
  const rows: ArrayLike<number>[] = embeddings instanceof tf.Tensor ? (embeddings.arraySync() as number[][]) : (embeddings as unknown as ArrayLike<number>[]);
  if (!Array.isArray(rows) || rows.length < 2) {
    throw new InvalidArgumentError({ fn, argument: 'embeddings', message: `expected at least two descriptors, got ${describeValue(embeddings)}.` });
  }
  if (!Array.isArray(labels) || labels.length !== rows.length || !labels.every((l) => typeof l === 'string' && l.length > 0)) {
    throw new InvalidArgumentError({ fn, argument: 'labels', message: `expected one non-empty string per descriptor (${rows.length}), got ${describeValue(labels)}.` });
  }
  const dim = rows[0]!.length;
  rows.forEach((r, i) => {
    if (r == null || r.length !== dim) throw new InvalidArgumentError({ fn, argument: `embeddings[${i}]`, message: `expected ${dim} numbers like the first descriptor, got ${describeValue(r)}.` });
  });
  const d: number[] = [], same: boolean[] = [];
  for (let i = 0; i < rows.length; i++) {
    for (let j = i + 1; j < rows.length; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) { const x = rows[i]![k]! - rows[j]![k]!; s += x * x; }
      d.push(Math.sqrt(s));
      same.push(labels[i] === labels[j]);
    }
  }
  return calibrationFromDistances(d, same, { ...options, source: options.source ?? `user: ${rows.length} faces of ${new Set(labels).size} people` });
}

/**
 * The calibrated confidence (in [0, 1]) that a pair at `distance` shows one person.
 *
 * @example
 * ```ts
 * confidenceFromDistance(DEFAULT_FACE_CALIBRATION, 0.3); // ≈ 1
 * ```
 */
export function confidenceFromDistance(calibration: FaceCalibration, distance: number): number {
  if (!Number.isFinite(distance)) return 0;
  const { midpoint, slope } = calibration.logistic;
  return 1 / (1 + Math.exp(slope * (distance - midpoint)));
}

/**
 * Checks a stored calibration (e.g. `JSON.parse` of a saved one) and returns
 * it typed; throws `InvalidArgumentError` naming the bad field.
 *
 * @example
 * ```ts
 * const cal = parseFaceCalibration(JSON.parse(text));
 * ```
 */
export function parseFaceCalibration(value: unknown): FaceCalibration {
  const fn = 'parseFaceCalibration';
  const v = value as Partial<FaceCalibration> | null;
  const bad = (field: string, what: string) => new InvalidArgumentError({ fn, argument: `value.${field}`, message: `${what}, got ${describeValue((v as Record<string, unknown> | null)?.[field])}; is this a FaceCalibration saved by this package?` });
  if (v == null || typeof v !== 'object') throw new InvalidArgumentError({ fn, argument: 'value', message: `expected a FaceCalibration object, got ${describeValue(value)}.` });
  if (v.version !== 1) throw bad('version', 'expected 1');
  if (v.metric !== 'l2') throw bad('metric', "expected 'l2'");
  const num = (x: unknown, ok: (n: number) => boolean) => typeof x === 'number' && Number.isFinite(x) && ok(x);
  if (!num(v.threshold, (n) => n >= 0)) throw bad('threshold', 'expected a finite distance ≥ 0');
  if (!num(v.targetFar, (n) => n > 0 && n < 1)) throw bad('targetFar', 'expected a rate in (0, 1)');
  if (!num(v.far, (n) => n >= 0 && n <= 1)) throw bad('far', 'expected a rate in [0, 1]');
  if (!num(v.tar, (n) => n >= 0 && n <= 1)) throw bad('tar', 'expected a rate in [0, 1]');
  if (v.logistic == null || !num(v.logistic.midpoint, () => true) || !num(v.logistic.slope, () => true)) throw bad('logistic', 'expected { midpoint, slope } numbers');
  if (v.pairs == null || !num(v.pairs.same, (n) => Number.isInteger(n) && n >= 0) || !num(v.pairs.different, (n) => Number.isInteger(n) && n >= 0)) throw bad('pairs', 'expected { same, different } counts');
  if (typeof v.source !== 'string') throw bad('source', 'expected a string');
  return {
    version: 1, metric: 'l2', threshold: v.threshold!, targetFar: v.targetFar!, far: v.far!, tar: v.tar!,
    logistic: { midpoint: v.logistic.midpoint, slope: v.logistic.slope }, pairs: { same: v.pairs.same, different: v.pairs.different }, source: v.source,
  };
}
