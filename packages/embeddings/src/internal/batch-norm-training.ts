import * as tf from '@tensorflow/tfjs-core';

/** What {@link batchNormTraining} returns, every tensor in the caller's scope. */
export interface BatchNormTrainingResult {
  /** (x − μ)·r·γ + β, the shape of x. */
  y: tf.Tensor4D;
  /** μ, the batch mean per channel [C]; no gradient flows through it. */
  mean: tf.Tensor1D;
  /** σ², the biased batch variance per channel [C]; no gradient flows through it. */
  variance: tf.Tensor1D;
}

const AXES = [0, 1, 2];

/**
 * @internal Batch normalisation with the batch's own statistics, as a layer
 * does while training: y = (x − μ)·r·γ + β per channel of x [N,H,W,C], with
 * μ and σ² the mean and biased variance over N, H and W and r = 1/√(σ² + ε).
 *
 * The same function as `tf.moments` followed by `tf.batchNorm`, but its
 * gradient is the closed form with μ and σ² differentiated through, over
 * n = N·H·W values per channel:
 *
 *   dβ = Σ dy,  dγ = r·Σ dy·(x − μ) = r·(Σ dy·x − μ·Σ dy),
 *   dx = γ·r·(dy − dβ/n − (x − μ)·r·dγ/n).
 *
 * Autodiff of moments + batchNorm back-propagates into μ and σ² separately
 * and through the moments' own ops: a dozen full-size elementwise passes
 * per layer. Here the backward pass reads x and dy for the two sums and
 * writes four full-size tensors (dy·x, dy·γr, the affine map of x, their
 * sum), and the forward pass two ((x − μ)² in `tf.moments`, y), which is what made the
 * compact encoder's training step as fast as PyTorch's on the oneDNN
 * plugin (`packages/backend-onednn/README.md`). Every op is a plain tfjs-core
 * op, so each backend runs it with its own kernels.
 *
 * Σ dy·x − μ·Σ dy loses relative precision ≈ 1e-7·|μ|/σ to cancellation,
 * negligible for a convolution's outputs (|μ|/σ of order 1).
 *
 * μ and σ² are computed from a copy of x that is not on the gradient tape
 * (the copy shares x's data), so they are plain inputs of the custom op and
 * carry no gradient of their own: that keeps the op free of intermediate
 * tensors of its own, which tfjs would count as leaked.
 *
 * @example
 * ```ts
 * const { y, mean, variance } = batchNormTraining(conv, gamma, beta, 1e-3);
 * movingMean.assign(tf.add(tf.mul(movingMean, 0.9), tf.mul(mean, 0.1)));
 * ```
 */
export function batchNormTraining(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): BatchNormTrainingResult {
  const [mean, variance] = tf.tidy(() => {
    const { mean: m, variance: v } = tf.moments(stopGradient(x), AXES);
    return [m as tf.Tensor1D, v as tf.Tensor1D];
  });
  const y = customBatchNorm(epsilon)(x, mean, variance, gamma, beta) as tf.Tensor4D;
  return { y, mean, variance };
}

/**
 * A second tensor on x's data (one more reference to it, as tf.clone takes)
 * that the gradient tape has never seen, so nothing computed from it is
 * differentiated. Data that still lives on another backend is moved to the
 * current one first (its storage moves data on access, as for any op).
 */
function stopGradient<T extends tf.Tensor>(x: T): T {
  const engine = tf.engine();
  const copy = engine.makeTensorFromDataId(x.dataId, x.shape, x.dtype, engine.backend) as T;
  engine.backend.incRef(x.dataId);
  return copy;
}

/** tf.batchNorm(x, mean, variance, β, γ, ε) whose gradient for x treats mean and variance as x's own statistics. */
function customBatchNorm(epsilon: number) {
  return tf.customGrad(((x: tf.Tensor4D, mean: tf.Tensor1D, variance: tf.Tensor1D, g: tf.Tensor1D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
    save([x, mean, variance, g]);
    return {
      value: tf.batchNorm(x, mean, variance, b, g, epsilon),
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [sx, mu, v, gm] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
        const n = sx.shape[0] * sx.shape[1] * sx.shape[2];
        const r = tf.rsqrt(tf.add(v, tf.scalar(epsilon)));
        const sumDy = tf.sum(dy, AXES);
        const dGamma = tf.mul(r, tf.sub(tf.sum(tf.mul(dy, sx), AXES), tf.mul(mu, sumDy)));
        const k = tf.mul(gm, r);
        // dx = k·dy + a·(x − μ) + c, the last two one affine map of x (tf.batchNorm with variance 1, ε 0).
        const a = tf.mul(tf.mul(k, r), tf.scalar(-1 / n));
        const c = tf.mul(k, tf.mul(sumDy, tf.scalar(-1 / n)));
        const affine = tf.batchNorm(sx, mu, tf.onesLike(v), c, tf.mul(a, dGamma), 0);
        // mean and variance come from a copy of x off the tape: no gradient reaches them.
        return [tf.add(tf.mul(dy, k), affine), tf.zerosLike(mu), tf.zerosLike(v), dGamma, sumDy];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
}
