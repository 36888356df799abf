import * as tf from '@tensorflow/tfjs-core';
import { FusedBatchNorm } from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';
import { reduceTo } from './reduce-to';

/**
 * The gradient of `tf.batchNorm` (kernel FusedBatchNorm), for y = (x − μ)·r·γ + β
 * with r = 1/√(v + ε): dx = dy·γ·r, dμ = −Σ dy·γ·r, dv = −½ Σ dy·γ·(x − μ)·r³,
 * dγ = Σ dy·(x − μ)·r, dβ = Σ dy, each Σ over the axes its input was
 * broadcast along. The same formulas as tfjs-core 4.22's, which first tiles
 * r to the full size of x (the wasm backend's Tile took ~20 % of a
 * compact-encoder training step); here r broadcasts, and parameters of any
 * shape that broadcasts to x ([C], [1,1,1,C], …) get gradients of their shape.
 *
 * @example
 * ```ts
 * tf.grad((x) => tf.sum(tf.batchNorm(x, mean, variance, offset, scale)))(x); // [N,H,W,C]
 * ```
 */
export const batchNormGradConfig: GradConfig = {
  kernelName: FusedBatchNorm,
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const g = dy as Tensor;
    const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
    const [x, mean, variance, scale] = saved as [Tensor, Tensor, Tensor, Tensor | undefined];
    const gamma = scale ?? tf.scalar(1);
    const r = tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
    // Shared by several derivatives; each derivative runs in its own tidy, so these are made here.
    const xm = tf.sub(x, mean);
    const dyGamma = tf.mul(g, gamma);
    return {
      x: () => tf.reshape(tf.mul(dyGamma, r), x.shape),
      mean: () => reduceTo(tf.mul(dyGamma, tf.neg(r)), mean.shape),
      variance: () => reduceTo(tf.mul(tf.mul(dyGamma, xm), tf.mul(tf.pow(r, tf.scalar(3)), tf.scalar(-0.5))), variance.shape),
      scale: () => reduceTo(tf.mul(g, tf.mul(xm, r)), (scale ?? mean).shape),
      offset: () => reduceTo(g, mean.shape),
    };
  },
};
