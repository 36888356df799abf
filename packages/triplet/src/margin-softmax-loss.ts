import * as tf from '@tensorflow/tfjs-core';
import { assertNumber, assertTensor, describeValue, InvalidArgumentError, ShapeError } from '@likeness/backends';

/** Options of {@link marginSoftmaxLoss}. */
export interface MarginSoftmaxOptions {
  /** s, the logit scale (the cosines lie in [−1, 1]). @defaultValue `16` */
  scale?: number;
  /** m, subtracted from the true class's cosine (CosFace / AM-softmax). @defaultValue `0.2` */
  margin?: number;
  /** ε: the target puts 1 − ε on the true class and ε/C on every class. @defaultValue `0.1` */
  labelSmoothing?: number;
}

/**
 * Additive-margin softmax (CosFace, AM-softmax): cross-entropy over C
 * identities whose logits are scaled cosines between the L2-normalised
 * embeddings and one learned proxy vector per identity, the true class's
 * cosine lowered by a margin:
 *
 * logit_ij = s·(cos(eᵢ, w_j) − m·[j = yᵢ]), L = mean_i CE(softmax(logitᵢ), (1 − ε)·onehot(yᵢ) + ε/C).
 *
 * An embedding must beat every other identity's proxy by the margin, so the
 * classes spread over the sphere; with few images per person it is the
 * stronger training signal of the two (see the package README's ORL
 * results) and combines with the triplet loss in `trainTriplet`'s
 * `classification` option. Gradients flow to the embeddings and the proxies.
 *
 * @param embeddings [N,D] (normalised here; the encoder need not)
 * @param proxies [C,D] one row per identity (normalised here)
 * @param classes [N] class index in [0, C) of each row
 * @example
 * ```ts
 * const w = tf.variable(tf.randomNormal([30, 128], 0, 0.01)); // 30 identities
 * const loss = marginSoftmaxLoss(emb, w, classes, { scale: 16, margin: 0.2 }); // emb [50,128], classes int32 [50] → scalar
 * ```
 */
export function marginSoftmaxLoss(embeddings: tf.Tensor2D, proxies: tf.Tensor2D, classes: tf.Tensor1D | ArrayLike<number>, options: MarginSoftmaxOptions = {}): tf.Scalar {
  const fn = 'marginSoftmaxLoss';
  assertTensor(embeddings, fn, 'embeddings');
  assertTensor(proxies, fn, 'proxies');
  if (embeddings.rank !== 2) throw new ShapeError({ fn, argument: 'embeddings', expected: '[N,D]', actual: embeddings.shape });
  if (proxies.rank !== 2 || proxies.shape[1] !== embeddings.shape[1]) {
    throw new ShapeError({ fn, argument: 'proxies', expected: `[C,${embeddings.shape[1]}] (one row of the embeddings' length per identity)`, actual: proxies.shape });
  }
  const [n] = embeddings.shape;
  const c = proxies.shape[0];
  const scale = options.scale ?? 16;
  const margin = options.margin ?? 0.2;
  const eps = options.labelSmoothing ?? 0.1;
  assertNumber(scale, fn, 'options.scale', { min: 0, exclusiveMin: true });
  assertNumber(margin, fn, 'options.margin', { min: 0 });
  assertNumber(eps, fn, 'options.labelSmoothing', { min: 0, max: 1 });
  let raw: ArrayLike<number>;
  if (classes instanceof tf.Tensor) {
    if (classes.rank !== 1) throw new ShapeError({ fn, argument: 'classes', expected: `[${n}]`, actual: classes.shape });
    raw = classes.dataSync() as ArrayLike<number>;
  } else if (classes != null && typeof (classes as ArrayLike<number>).length === 'number') raw = classes as ArrayLike<number>;
  else throw new InvalidArgumentError({ fn, argument: 'classes', message: `expected an array or a rank-1 tensor of class indices, got ${describeValue(classes)}.` });
  for (let i = 0; i < raw.length; i++) {
    if (!Number.isInteger(raw[i])) throw new InvalidArgumentError({ fn, argument: 'classes', message: `expected integer class indices, classes[${i}] is ${describeValue(raw[i])}. Map your labels to 0…C−1 first.` });
  }
  const cls = Int32Array.from(raw);
  if (cls.length !== n) throw new ShapeError({ fn, argument: 'classes', expected: `[${n}] (one class per embedding)`, actual: [cls.length] });
  for (let i = 0; i < n; i++) {
    if (!(cls[i]! >= 0 && cls[i]! < c)) throw new ShapeError({ fn, argument: 'classes', expected: `class indices in [0, ${c}) (one proxy row each)`, actual: [cls[i]!], hint: 'Map your labels to 0…C−1 first.' });
  }
  return tf.tidy(() => {
    const e = tf.div(embeddings, tf.maximum(tf.norm(embeddings, 'euclidean', 1, true), 1e-12));
    const w = tf.div(proxies, tf.maximum(tf.norm(proxies, 'euclidean', 1, true), 1e-12));
    const cos = tf.matMul(e, w, false, true);
    const onehot = tf.oneHot(tf.tensor1d(cls, 'int32'), c);
    const logits = tf.mul(tf.sub(cos, tf.mul(onehot, margin)), scale);
    const target = tf.add(tf.mul(onehot, 1 - eps), eps / c);
    const logp = tf.logSoftmax(logits);
    return tf.neg(tf.mean(tf.sum(tf.mul(target, logp), 1))) as tf.Scalar;
  });
}
