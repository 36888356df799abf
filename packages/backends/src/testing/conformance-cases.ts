import * as tf from '@tensorflow/tfjs-core';
import { seededValues } from './seeded-values';

/** One check of the conformance kit: a computation run on the reference (cpu) and on the backend under test. */
export interface ConformanceCase {
  /** e.g. `'conv2d stride 2 same: forward + dx + dW'`. */
  readonly name: string;
  /** The op family, for filtering: `'conv2d'`, `'maxPool'`, … */
  readonly op: string;
  /** Builds inputs from fixed seeds and returns the outputs to compare (forward values and gradients). */
  readonly run: () => tf.Tensor[];
  /** Largest allowed |backend − cpu| / max(1, |cpu|∞) over all outputs. */
  readonly tolerance: number;
}

const t4 = (shape: [number, number, number, number], seed: number, lo = -1, hi = 1) =>
  tf.tensor4d(seededValues(shape[0] * shape[1] * shape[2] * shape[3], seed, lo, hi), shape);
const t2 = (shape: [number, number], seed: number, lo = -1, hi = 1) =>
  tf.tensor2d(seededValues(shape[0] * shape[1], seed, lo, hi), shape);

/** Σ y ⊙ r with fixed r in [-1, 1): a loss whose gradient dy is not constant (and exact on every backend). */
function weightedSum(y: tf.Tensor): tf.Scalar {
  return tf.sum(tf.mul(y, tf.tensor(seededValues(y.size, 999), y.shape)));
}

/** `count` distinct values (a shuffled ramp) in [lo, lo + 1): max pooling without ties. */
function distinctValues(count: number, seed: number, lo: number): Float32Array {
  const keys = seededValues(count, seed);
  const order = Array.from(keys.keys()).sort((a, b) => keys[a]! - keys[b]!);
  const out = new Float32Array(count);
  order.forEach((idx, rank) => (out[idx] = lo + rank / count));
  return out;
}

/** The forward outputs of `f`, then its gradients with respect to every input. */
function forwardAndGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[]): tf.Tensor[] {
  const y = f(...inputs);
  const grads = tf.grads((...xs: tf.Tensor[]) => weightedSum(f(...xs)))(inputs);
  return [y, ...grads];
}

const FWD_BWD = 1e-4;

/**
 * Every op (and gradient) the likeness packages use, on small shapes with
 * fixed inputs. Tolerances are relative to max(1, |reference|∞).
 */
export const CONFORMANCE_CASES: readonly ConformanceCase[] = [
  {
    name: 'conv2d stride 1 same: forward + dx + dW',
    op: 'conv2d',
    tolerance: FWD_BWD,
    run: () =>
      forwardAndGrads((x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), [t4([2, 7, 6, 3], 1), t4([3, 3, 3, 4], 2)]),
  },
  {
    name: 'conv2d stride 2 valid: forward + dx + dW',
    op: 'conv2d',
    tolerance: FWD_BWD,
    run: () =>
      forwardAndGrads((x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'valid'), [t4([1, 9, 8, 2], 3), t4([3, 3, 2, 5], 4)]),
  },
  {
    name: 'depthwiseConv2d ×2 stride 2 same: forward + dx + dW',
    op: 'depthwiseConv2d',
    tolerance: FWD_BWD,
    run: () =>
      forwardAndGrads(
        (x, w) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'),
        [t4([2, 9, 9, 3], 5), t4([3, 3, 3, 2], 6)],
      ),
  },
  {
    name: 'depthwiseConv2d stride 1 valid: forward + dx + dW',
    op: 'depthwiseConv2d',
    tolerance: FWD_BWD,
    run: () =>
      forwardAndGrads(
        (x, w) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid'),
        [t4([1, 6, 7, 4], 7), t4([3, 3, 4, 1], 8)],
      ),
  },
  {
    name: 'conv2dTranspose stride 2 same: forward + dx + dW',
    op: 'conv2dTranspose',
    tolerance: FWD_BWD,
    run: () =>
      forwardAndGrads(
        (x, w) => tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [1, 8, 8, 3], 2, 'same'),
        [t4([1, 4, 4, 5], 9), t4([3, 3, 3, 5], 10)],
      ),
  },
  {
    // Ties are left out: which tied element gets the gradient differs between backends.
    name: 'maxPool 2×2/2 (all-negative windows): forward + dx',
    op: 'maxPool',
    tolerance: 1e-6,
    run: () => {
      const x = tf.tensor4d(distinctValues(2 * 8 * 8 * 3, 11, -2), [2, 8, 8, 3]);
      return forwardAndGrads((a) => tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), [x]);
    },
  },
  {
    name: 'maxPool 3×3/2 same: forward + dx',
    op: 'maxPool',
    tolerance: 1e-6,
    run: () =>
      forwardAndGrads((a) => tf.maxPool(a as tf.Tensor4D, 3, 2, 'same'), [
        tf.tensor4d(distinctValues(1 * 9 * 9 * 2, 12, -0.7), [1, 9, 9, 2]),
      ]),
  },
  {
    name: 'avgPool 2×2/2 and 3×3/1 same: forward + dx',
    op: 'avgPool',
    tolerance: FWD_BWD,
    run: () => [
      ...forwardAndGrads((a) => tf.avgPool(a as tf.Tensor4D, 2, 2, 'valid'), [t4([2, 6, 6, 3], 13)]),
      ...forwardAndGrads((a) => tf.avgPool(a as tf.Tensor4D, 3, 1, 'same'), [t4([1, 5, 7, 2], 14)]),
    ],
  },
  {
    name: 'matMul (plain, transposeA, transposeB): forward + grads',
    op: 'matMul',
    tolerance: FWD_BWD,
    run: () => [
      ...forwardAndGrads((a, b) => tf.matMul(a, b), [t2([5, 7], 15), t2([7, 3], 16)]),
      ...forwardAndGrads((a, b) => tf.matMul(a, b, true, false), [t2([7, 5], 17), t2([7, 3], 18)]),
      ...forwardAndGrads((a, b) => tf.matMul(a, b, false, true), [t2([5, 7], 19), t2([3, 7], 20)]),
    ],
  },
  {
    name: 'batchNorm with scale and offset: forward + dx + dmean + dvar + dscale + doffset',
    op: 'batchNorm',
    tolerance: FWD_BWD,
    run: () =>
      forwardAndGrads((x, m, v, o, s) => tf.batchNorm(x as tf.Tensor4D, m!, v!, o, s, 1e-3), [
        t4([2, 3, 3, 4], 21),
        tf.tensor1d(seededValues(4, 22)),
        tf.tensor1d(seededValues(4, 23, 0.5, 2)),
        tf.tensor1d(seededValues(4, 24)),
        tf.tensor1d(seededValues(4, 25, 0.5, 2)),
      ]),
  },
  ...(
    [
      ['relu', (x: tf.Tensor) => tf.relu(x), -1, 1],
      ['sigmoid', (x: tf.Tensor) => tf.sigmoid(x), -4, 4],
      ['exp', (x: tf.Tensor) => tf.exp(x), -2, 2],
      ['log', (x: tf.Tensor) => tf.log(x), 0.2, 3],
      ['sqrt', (x: tf.Tensor) => tf.sqrt(x), 0.2, 3],
      ['square', (x: tf.Tensor) => tf.square(x), -2, 2],
      ['softmax', (x: tf.Tensor) => tf.softmax(x), -3, 3],
      // both sides of 0 and of 6: the gradient's mask (ReluGrad / Relu6Grad where a backend registers them)
      ['relu6', (x: tf.Tensor) => tf.relu6(x), -2, 8],
    ] as const
  ).map(
    ([op, f, lo, hi], i): ConformanceCase => ({
      name: `${op}: forward + dx`,
      op,
      tolerance: FWD_BWD,
      run: () => forwardAndGrads(f, [t2([6, 5], 30 + i, lo, hi)]),
    }),
  ),
  {
    name: 'sum / mean / max over axes (keepDims and not): forward + dx',
    op: 'reduce',
    tolerance: FWD_BWD,
    run: () => {
      const x = () => t4([2, 3, 4, 5], 40);
      return [
        ...forwardAndGrads((a) => tf.sum(a, [1, 2]), [x()]),
        ...forwardAndGrads((a) => tf.mean(a, -1, true), [x()]),
        ...forwardAndGrads((a) => tf.max(a, [0, 3]), [x()]),
        ...forwardAndGrads((a) => tf.sum(a), [x()]),
      ];
    },
  },
  {
    name: 'gather (repeated indices, axis 0 and 1): forward + dx',
    op: 'gather',
    tolerance: FWD_BWD,
    run: () => [
      ...forwardAndGrads((p) => tf.gather(p, tf.tensor1d([3, 0, 3, 1], 'int32')), [t2([5, 4], 41)]),
      ...forwardAndGrads((p) => tf.gather(p, tf.tensor1d([2, 2, 0], 'int32'), 1), [t2([5, 4], 42)]),
    ],
  },
  {
    name: 'concat / slice / pad: forward + dx',
    op: 'layout',
    tolerance: FWD_BWD,
    run: () => [
      ...forwardAndGrads((a, b) => tf.concat([a!, b!], -1), [t4([1, 3, 3, 2], 43), t4([1, 3, 3, 5], 44)]),
      ...forwardAndGrads((a) => tf.slice(a, [0, 1, 0, 1], [2, 2, 3, 2]), [t4([2, 4, 3, 4], 45)]),
      ...forwardAndGrads((a) => tf.pad(a, [[0, 0], [1, 2], [2, 1], [0, 0]]), [t4([1, 3, 3, 2], 46)]),
    ],
  },
  {
    name: 'resizeBilinear (up and down, alignCorners both): forward + dx',
    op: 'resizeBilinear',
    tolerance: FWD_BWD,
    run: () => [
      ...forwardAndGrads((a) => tf.image.resizeBilinear(a as tf.Tensor4D, [7, 9]), [t4([1, 4, 5, 2], 47)]),
      ...forwardAndGrads((a) => tf.image.resizeBilinear(a as tf.Tensor4D, [3, 2], true), [t4([2, 6, 5, 3], 48)]),
    ],
  },
  {
    name: 'l2-normalise x / sqrt(Σx² + ε): forward + dx',
    op: 'l2Normalize',
    tolerance: FWD_BWD,
    run: () =>
      forwardAndGrads((x) => tf.div(x, tf.sqrt(tf.add(tf.sum(tf.square(x), -1, true), 1e-10))), [t2([6, 16], 49)]),
  },
  {
    name: 'pairwise squared distances |a|² + |b|² − 2abᵀ and Euclidean: forward + grads',
    op: 'pairwiseDistance',
    tolerance: FWD_BWD,
    run: () => {
      const sq = (a: tf.Tensor, b: tf.Tensor) =>
        tf.sub(
          tf.add(tf.sum(tf.square(a), 1, true), tf.transpose(tf.sum(tf.square(b), 1, true))),
          tf.mul(2, tf.matMul(a, b, false, true)),
        );
      return [
        ...forwardAndGrads(sq, [t2([5, 8], 50), t2([4, 8], 51)]),
        ...forwardAndGrads((a, b) => tf.sqrt(tf.add(tf.relu(sq(a!, b!)), 1e-6)), [t2([5, 8], 52), t2([4, 8], 53)]),
      ];
    },
  },
];
