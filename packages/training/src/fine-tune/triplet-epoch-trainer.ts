import * as tf from '@tensorflow/tfjs-core';
import { equalErrorRate, rocAuc, type FaceResNet, SeededRandom } from '@likeness/embeddings';
import { mineTriplets, createPKSampler, type PKSampler, tripletLoss, type TripletMetric } from '@likeness/triplet';

/** Settings of {@link createTripletEpochTrainer}. */
export interface TripletEpochTrainerOptions {
  /** Identity of each of the N cached images (copy 0's rows). */
  labels: ArrayLike<number>;
  /** Images trained on (indices into `labels`); all of them when absent. */
  rows?: ArrayLike<number>;
  /** Augmented copies in the cache (rows a·N + i). */
  copies: number;
  strategy: 'batch-hard' | 'semi-hard';
  margin: number;
  metric: TripletMetric;
  p: number;
  k: number;
  stepsPerEpoch: number;
  backboneLearningRate: number;
  headLearningRate: number;
  seed: number;
}

/** @internal The training loop of the triplet fine-tuners, on cached frozen features. */
export interface TripletEpochTrainer {
  readonly sampler: PKSampler;
  readonly rnd: SeededRandom;
  readonly optHead: tf.Optimizer;
  readonly optBackbone: tf.Optimizer;
  /** One epoch of `stepsPerEpoch` P×K steps on `feats` ([copies·N, …] from cacheAugmentedFeatures); the mean triplet loss (NaN if no step found a triplet). */
  trainEpoch(feats: tf.Tensor4D): number;
  dispose(): void;
}

/**
 * @internal The triplet objective's epoch trainer in the fine-tune loop
 * (either selection rule): P×K batches of the chosen images (sampler
 * seeded `seed`), each image as a random cached copy (generator seeded
 * `seed + 7`), online mining, two Adam optimisers (backbone, projection).
 * Deterministic for a seed: the same seed and rows give the same weights.
 */
export function createTripletEpochTrainer(net: FaceResNet, o: TripletEpochTrainerOptions): TripletEpochTrainer {
  const n = o.labels.length;
  const rows = o.rows ? Int32Array.from(o.rows) : null;
  const sampler = createPKSampler(rows ? Array.from(rows, (r) => o.labels[r]!) : o.labels, { p: o.p, k: o.k, seed: o.seed });
  const rnd = new SeededRandom(o.seed + 7); // its state is checkpointed
  const vars = net.trainableVariables();
  const head = net.headVariable;
  const backbone = vars.filter((v) => v !== head);
  const optHead = tf.train.adam(o.headLearningRate), optBackbone = tf.train.adam(o.backboneLearningRate);
  return {
    sampler, rnd, optHead, optBackbone,
    trainEpoch(feats: tf.Tensor4D): number {
      let lossSum = 0, used = 0;
      for (let s = 0; s < o.stepsPerEpoch; s++) {
        const base = sampler.next();
        const labels = sampler.labelsOf(base);
        const idx = Int32Array.from(base, (i) => Math.floor(rnd.next() * o.copies) * n + (rows ? rows[i]! : i));
        const batch = tf.gather(feats, idx);
        const e = tf.tidy(() => net.encodeFeatures(batch));
        const trip = mineTriplets(e, labels, o.strategy, { metric: o.metric, margin: o.margin });
        e.dispose();
        if (trip.anchors.length === 0) { batch.dispose(); continue; }
        const { value, grads } = tf.variableGrads(() => tf.tidy(() => {
          const emb = net.encodeFeatures(batch);
          return tripletLoss(tf.gather(emb, trip.anchors), tf.gather(emb, trip.positives), tf.gather(emb, trip.negatives), { margin: o.margin, metric: o.metric });
        }), vars);
        optHead.applyGradients([{ name: head.name, tensor: grads[head.name]! }]);
        if (backbone.length && o.backboneLearningRate > 0) optBackbone.applyGradients(backbone.map((v) => ({ name: v.name, tensor: grads[v.name]! })));
        lossSum += value.dataSync()[0]!;
        used++;
        tf.dispose([value, batch, ...Object.values(grads)]);
      }
      return used ? lossSum / used : NaN;
    },
    dispose(): void {
      optHead.dispose();
      optBackbone.dispose();
    },
  };
}

/**
 * @internal Validation figures of the triplet fine-tuners over all pairs
 * (i < j) of the given features: EER, AUC, the mean scale-free triplet loss
 * (distances divided by their mean; the tie-breaker) and the pair distances.
 * With `mirrored`, each embedding is ½·(f(x) + f(mirror x)).
 */
export function tripletValidationScore(net: FaceResNet, feats: tf.Tensor4D, labels: ArrayLike<number>, margin: number, metric: TripletMetric, mirrored?: tf.Tensor4D) {
  const e = tf.tidy(() => (mirrored ? tf.mul(tf.add(net.encodeFeatures(feats), net.encodeFeatures(mirrored)), 0.5) : net.encodeFeatures(feats)) as tf.Tensor2D);
  const v = e.arraySync();
  e.dispose();
  const n = v.length;
  const dist = (i: number, j: number) => {
    let s = 0;
    for (let k = 0; k < v[i]!.length; k++) { const d = v[i]![k]! - v[j]![k]!; s += d * d; }
    return metric === 'l2' ? Math.sqrt(s) : s;
  };
  const D: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 0 : dist(i, j))));
  const d: number[] = [], same: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) { d.push(D[i]![j]!); same.push(labels[i] === labels[j] ? 1 : 0); }
  // scale-free: distances divided by their mean (an encoder that only grows its outputs does not score better)
  const meanD = d.reduce((x, y) => x + y, 0) / Math.max(1, d.length) || 1;
  let loss = 0, count = 0;
  for (let a = 0; a < n; a++) for (let p = 0; p < n; p++) {
    if (p === a || labels[p] !== labels[a]) continue;
    for (let q = 0; q < n; q++) {
      if (labels[q] === labels[a]) continue;
      loss += Math.max(0, (D[a]![p]! - D[a]![q]!) / meanD + margin);
      count++;
    }
  }
  return { eer: equalErrorRate(d, same).eer, auc: rocAuc(d, same), loss: count ? loss / count : 0, d };
}
