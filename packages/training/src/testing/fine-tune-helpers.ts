import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import type { FaceResNet } from '@likeness/embeddings';
import { createVerificationHead, type VerificationHead } from '@likeness/siamese-binary';

/** Largest absolute element difference of two same-shape tensors. */
export const maxDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

/** A head that starts as "closer = more alike" on |e₁ − e₂| (w = −1, b = 2), as trainHead would leave it. */
export function startedHead(): VerificationHead {
  const head = createVerificationHead({ embeddingSize: 128 });
  head.weights.assign(tf.fill([128], -1) as tf.Tensor1D);
  head.bias.assign(tf.tensor1d([2]));
  return head;
}

/**
 * Copies the net's and the head's weights now; `expectUnchanged()` later
 * asserts every one is bit-identical to the copy, then frees the copies.
 */
export function snapshotNetAndHead(ft: FaceResNet, head: VerificationHead): {
  /** Asserts every weight is bit-identical to the snapshot, then frees the copies. */
  expectUnchanged(): void;
} {
  const before = ft.exportWeights();
  const w0 = tf.clone(head.weights);
  return {
    expectUnchanged() {
      const after = ft.exportWeights();
      for (const name of Object.keys(before)) expect(maxDiff(before[name]!, after[name]!)).toBe(0);
      expect(maxDiff(w0, head.weights)).toBe(0);
      tf.dispose([...Object.values(before), ...Object.values(after), w0]);
    },
  };
}
