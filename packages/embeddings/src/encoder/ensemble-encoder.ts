import * as tf from '@tensorflow/tfjs-core';
import { assertTensor, describeValue, InvalidArgumentError, ShapeError } from '@likeness/backends';
import type { Encoder } from '../encoder';

/**
 * An ensemble of M encoders of the same input as one {@link Encoder}: the
 * concatenation of the members' L2-normalised embeddings divided by √M,
 *
 * e(x) = [f₁(x)/‖f₁(x)‖, …, f_M(x)/‖f_M(x)‖] / √M   (length ΣD_m, unit norm),
 *
 * so that ‖e(x) − e(y)‖² is the mean of the members' squared distances
 * between unit embeddings: each member votes equally, whatever its scale.
 * Members trained from different random starts (seeds) make different
 * errors on people none of them has seen, and the average distance ranks
 * pairs better than any one member (the triplet package's README shows it
 * on ORL). It costs one forward pass per member.
 *
 * The ensemble takes the members over: `dispose()` disposes every member.
 * `trainableVariables()` lists all members' variables.
 *
 * @example
 * ```ts
 * const members = [1, 2, 3].map((seed) => createCompactEncoder({ inputShape: [28, 23, 1], seed }));
 * // … train each member …
 * const ens = ensembleEncoder(members);   // embeddingSize 3 × 128
 * const e = ens.encode(images);           // images [N,28,23,1] → e [N,384], unit rows
 * ```
 */
export function ensembleEncoder(members: readonly Encoder[]): Encoder {
  const fn = 'ensembleEncoder';
  if (!Array.isArray(members) || members.length === 0) {
    throw new InvalidArgumentError({ fn, argument: 'members', message: `expected a non-empty array of Encoders, got ${describeValue(members)}.` });
  }
  members.forEach((m, i) => {
    if (m == null || typeof m.encode !== 'function' || typeof m.trainableVariables !== 'function' || !Array.isArray(m.inputShape)) {
      throw new InvalidArgumentError({ fn, argument: `members[${i}]`, message: `expected an Encoder (CompactEncoder, FaceResNet…), got ${describeValue(m)}.` });
    }
  });
  const shape = members[0]!.inputShape;
  members.forEach((m, i) => {
    if (m.inputShape.length !== shape.length || m.inputShape.some((d: number, k: number) => d !== shape[k])) {
      throw new ShapeError({ fn, argument: `members[${i}].inputShape`, expected: `[${shape.join(',')}] (members[0]'s)`, actual: [...m.inputShape], hint: 'Every member must embed the same images.' });
    }
  });
  if (new Set(members).size !== members.length) {
    throw new InvalidArgumentError({ fn, argument: 'members', message: 'the same encoder appears twice; an ensemble needs distinct members (e.g. trained from different seeds).' });
  }
  const list = [...members];
  const scale = 1 / Math.sqrt(list.length);
  return {
    inputShape: shape,
    embeddingSize: list.reduce((a, m) => a + m.embeddingSize, 0),
    normalized: true,
    encode(images: tf.Tensor4D, options?: { training?: boolean }): tf.Tensor2D {
      const name = 'ensembleEncoder.encode';
      assertTensor(images, name, 'images');
      if (images.rank !== 4) throw new ShapeError({ fn: name, argument: 'images', expected: `[N,${shape.join(',')}]`, actual: images.shape });
      return tf.tidy(() => tf.concat(list.map((m) => {
        const e = m.encode(images, options);
        const norm = tf.sqrt(tf.maximum(tf.sum(tf.square(e), 1, true), 1e-24));
        return tf.mul(tf.div(e, norm), scale);
      }), 1) as tf.Tensor2D);
    },
    trainableVariables: () => list.flatMap((m) => m.trainableVariables()),
    dispose: () => list.forEach((m) => m.dispose()),
  };
}
