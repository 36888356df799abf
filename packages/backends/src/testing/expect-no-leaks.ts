import * as tf from '@tensorflow/tfjs-core';

/**
 * Runs `fn` and throws when it leaves tensors or backend data behind.
 * What `fn` returns is disposed before counting, so a function that returns
 * tensors is checked for its intermediates only.
 *
 * @example
 * ```ts
 * await expectNoLeaks(() => gramMatrix(features));
 * ```
 */
export async function expectNoLeaks(fn: () => unknown): Promise<void> {
  const beforeTensors = tf.memory().numTensors;
  const beforeData = tf.engine().backend.numDataIds();
  const result = await fn();
  tf.dispose(collectTensors(result));
  const afterTensors = tf.memory().numTensors;
  const afterData = tf.engine().backend.numDataIds();
  if (afterTensors !== beforeTensors || afterData !== beforeData) {
    throw new Error(
      `tensor leak: numTensors ${beforeTensors} → ${afterTensors}, backend dataIds ${beforeData} → ${afterData}`,
    );
  }
}

function collectTensors(value: unknown, out: tf.Tensor[] = [], seen = new Set<unknown>()): tf.Tensor[] {
  if (value == null || typeof value !== 'object' || seen.has(value)) return out;
  seen.add(value);
  if (value instanceof tf.Tensor) {
    if (!value.isDisposed) out.push(value);
    return out;
  }
  if (Array.isArray(value)) for (const v of value) collectTensors(v, out, seen);
  else if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) collectTensors(v, out, seen);
  return out;
}
