import * as tf from '@tensorflow/tfjs-core';

/**
 * Whether tfjs is recording a gradient tape right now (inside `tf.grad`,
 * `tf.variableGrads`, `optimizer.minimize`). A backbone's forward may free
 * its intermediate activations early only when it is not: the tape keeps
 * them for the backward pass.
 */
export function isRecordingGradient(): boolean {
  // EngineState.gradientDepth is public in tfjs-core (> 0 inside any gradient scope).
  return tf.engine().state.gradientDepth > 0;
}
