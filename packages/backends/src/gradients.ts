import * as tf from '@tensorflow/tfjs-core';
import { GRADIENT_CONFIGS } from './internal/gradient-configs';

let done = false;

/**
 * Registers tfjs-core's gradient definitions that are not registered yet.
 *
 * tfjs-core's Node entry registers almost none, and its
 * `dist/register_all_gradients` cannot be loaded by plain Node ESM; every
 * backend entry point of this package calls this, so `tf.grad` works in Node
 * (ESM and CJS), vitest and bundlers alike. Idempotent; never overrides a
 * gradient someone else registered.
 *
 * @returns the number of gradients it registered.
 */
export function ensureGradients(): number {
  if (done) return 0;
  let n = 0;
  for (const config of GRADIENT_CONFIGS) {
    if (tf.getGradient(config.kernelName) == null) {
      tf.registerGradient(config);
      n++;
    }
  }
  done = true;
  return n;
}
