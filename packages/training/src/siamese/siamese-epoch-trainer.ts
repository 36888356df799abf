import * as tf from '@tensorflow/tfjs-core';
import { assertNumber } from '@likeness/backends';
import { equalErrorRate, rocAuc, type FaceResNet, SeededRandom } from '@likeness/embeddings';
import { binaryCrossEntropyWithLogits, allPairs, createBalancedPairSampler, type VerificationHead } from '@likeness/siamese-binary';

/** Settings of {@link createSiameseEpochTrainer}. */
export interface SiameseEpochTrainerOptions {
  /** Identity of each of the N cached images (copy 0's rows). */
  labels: Int32Array;
  /** Images trained on (indices into `labels`); all of them when absent. */
  rows?: ArrayLike<number>;
  /** Augmented copies in the cache (rows a·N + i). */
  copies: number;
  stepsPerEpoch: number;
  batchSize: number;
  positiveFraction?: number;
  backboneLearningRate: number;
  projectionLearningRate: number;
  headLearningRate: number;
  seed: number;
}

/** The three learning rates of {@link SiameseEpochTrainerOptions}. */
export type SiameseLearningRates = Pick<SiameseEpochTrainerOptions, 'backboneLearningRate' | 'projectionLearningRate' | 'headLearningRate'>;

/**
 * @internal The siamese fine-tuners' learning rates from their options, with
 * the defaults (backbone 1e-5 < projection 1e-4 < head 1e-3), each checked
 * to be a finite number ≥ 0 (errors name `fn` and `options.<name>`).
 */
export function resolveSiameseLearningRates(options: Partial<SiameseLearningRates>, fn: string): SiameseLearningRates {
  const r = {
    backboneLearningRate: options.backboneLearningRate ?? 1e-5,
    projectionLearningRate: options.projectionLearningRate ?? 1e-4,
    headLearningRate: options.headLearningRate ?? 1e-3,
  };
  for (const [name, v] of Object.entries(r)) assertNumber(v, fn, `options.${name}`, { min: 0 });
  return r;
}

/** @internal The training loop of the siamese fine-tuners, on cached frozen features. */
export interface SiameseEpochTrainer {
  /** One epoch on `feats` ([copies·N, …] from cacheAugmentedFeatures); the mean training BCE. */
  trainEpoch(feats: tf.Tensor4D): number;
  dispose(): void;
}

/**
 * @internal The siamese objective's epoch trainer in the fine-tune loop
 * (either selection rule): balanced pairs of the chosen images (sampler seeded
 * `seed`), each image as one random cached copy (generator `seed + 11`),
 * three Adam optimisers (backbone < projection < head). Deterministic for a
 * seed and rows.
 */
export function createSiameseEpochTrainer(net: FaceResNet, head: VerificationHead, o: SiameseEpochTrainerOptions): SiameseEpochTrainer {
  const n = o.labels.length;
  const rows = o.rows ? Int32Array.from(o.rows) : null;
  const sampler = createBalancedPairSampler(rows ? Int32Array.from(rows, (r) => o.labels[r]!) : o.labels, { batchSize: o.batchSize, positiveFraction: o.positiveFraction, seed: o.seed });
  const projection = net.headVariable;
  const backbone = net.trainableVariables().filter((v) => v !== projection);
  const groups = [
    { vars: backbone, opt: tf.train.adam(o.backboneLearningRate), lr: o.backboneLearningRate },
    { vars: [projection], opt: tf.train.adam(o.projectionLearningRate), lr: o.projectionLearningRate },
    { vars: head.trainableVariables(), opt: tf.train.adam(o.headLearningRate), lr: o.headLearningRate },
  ];
  const all = groups.flatMap((g) => g.vars);
  const rng = new SeededRandom(o.seed + 11);
  return {
    trainEpoch(feats: tf.Tensor4D): number {
      let lossSum = 0;
      for (let s = 0; s < o.stepsPerEpoch; s++) {
        const { left, right, same } = sampler.next();
        // each distinct image once, as one random cached copy
        const uniq = [...new Set([...left, ...right])];
        const pos = new Map(uniq.map((v, i) => [v, i]));
        const at = Int32Array.from(uniq, (i) => Math.floor(rng.next() * o.copies) * n + (rows ? rows[i]! : i));
        const li = Int32Array.from(left, (v) => pos.get(v)!), ri = Int32Array.from(right, (v) => pos.get(v)!);
        const batch = tf.gather(feats, at);
        const { value, grads } = tf.variableGrads(() => tf.tidy(() => {
          const e = net.encodeFeatures(batch);
          return binaryCrossEntropyWithLogits(head.logits(tf.gather(e, li), tf.gather(e, ri)), same) as tf.Scalar;
        }), all);
        for (const g of groups) if (g.vars.length && g.lr > 0) g.opt.applyGradients(g.vars.map((v) => ({ name: v.name, tensor: grads[v.name]! })));
        lossSum += value.dataSync()[0]!;
        tf.dispose([value, batch, ...Object.values(grads)]);
      }
      return lossSum / o.stepsPerEpoch;
    },
    dispose(): void {
      for (const g of groups) g.opt.dispose();
    },
  };
}

/** @internal EER/AUC of the head's score and class-balanced BCE over all pairs (i < j) of the features; `d` = −logit per pair (a distance). */
export function siameseValidationScore(net: FaceResNet, head: VerificationHead, feats: tf.Tensor4D, labels: Int32Array) {
  const pairs = allPairs(labels);
  const [z, lossPos, lossNeg] = tf.tidy(() => {
    const e = net.encodeFeatures(feats);
    const logits = head.logits(tf.gather(e, pairs.left), tf.gather(e, pairs.right));
    const per = binaryCrossEntropyWithLogits(logits, pairs.same, { reduction: 'none' }) as tf.Tensor1D;
    const same = tf.tensor1d(pairs.same);
    const pos = tf.div(tf.sum(tf.mul(per, same)), tf.maximum(tf.sum(same), 1));
    const neg = tf.div(tf.sum(tf.mul(per, tf.sub(1, same))), tf.maximum(tf.sum(tf.sub(1, same)), 1));
    return [logits, pos, neg];
  });
  const zs = z.dataSync();
  const loss = 0.5 * (lossPos.dataSync()[0]! + lossNeg.dataSync()[0]!);
  tf.dispose([z, lossPos, lossNeg]);
  const d = Array.from(zs, (v) => -v); // a distance: higher logit = more alike
  const same = Array.from(pairs.same);
  return { eer: equalErrorRate(d, same).eer, auc: rocAuc(d, same), loss, d };
}
