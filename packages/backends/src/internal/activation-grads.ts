import * as tf from '@tensorflow/tfjs-core';
import { Relu, Relu6 } from '@tensorflow/tfjs-core';
import type { GradConfig, Tensor } from '@tensorflow/tfjs-core';
import { Relu6Grad, ReluGrad } from '../fused-gradient-kernels';

/** The fused kernel's dx where the current backend registers it for these float32 tensors, else undefined. */
function viaKernel(kernel: string, dy: Tensor, x: Tensor): Tensor | undefined {
  if (dy.dtype !== 'float32' || x.dtype !== 'float32') return undefined;
  if (tf.getKernel(kernel, tf.getBackend()) == null) return undefined;
  return tf.engine().runKernel(kernel, { dy, x }) as Tensor;
}

/**
 * The gradient config of an activation whose derivative is a 0/1 mask of x:
 * the one-pass kernel `fused` where the backend registers it, else
 * tfjs-core 4.22's `compose(dy, x)`.
 */
function maskedGrad(kernelName: string, fused: string, compose: (dy: Tensor, x: Tensor) => Tensor): GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
      const [x] = saved as [Tensor];
      const g = dy as Tensor;
      return { x: () => viaKernel(fused, g, x) ?? compose(g, x) };
    },
  };
}

/** The gradient of `tf.relu`: `ReluGrad` (one pass) where the backend registers it, else `dy · step(x)` (two). */
export const reluGradConfig = maskedGrad(Relu, ReluGrad, (dy, x) => tf.mul(dy, tf.step(tf.cast(x, 'float32'))));

/**
 * The gradient of `tf.relu6`: `Relu6Grad` (one pass) where the backend
 * registers it, else `dy · cast((x ≤ 6) · step(x))` (five: a comparison, a
 * cast, a step and two products).
 */
export const relu6GradConfig = maskedGrad(Relu6, Relu6Grad, (dy, x) => tf.mul(dy, tf.cast(tf.mul(tf.lessEqual(x, 6), tf.step(x)), 'float32')));

/** Second derivatives through the fused kernels: ∂/∂dy is the same mask applied to the upstream gradient, ∂/∂x is 0. */
function fusedKernelGrad(kernel: string): GradConfig {
  return {
    kernelName: kernel,
    inputsToSave: ['x'],
    gradFunc: (ddx: Tensor | Tensor[], saved: Tensor[]) => {
      const [x] = saved as [Tensor];
      return { dy: () => tf.engine().runKernel(kernel, { dy: ddx as Tensor, x }) as Tensor, x: () => tf.zerosLike(x) };
    },
  };
}

/** Gradients of `ReluGrad` and `Relu6Grad` themselves. */
export const fusedActivationGradGradConfigs: readonly GradConfig[] = [fusedKernelGrad(ReluGrad), fusedKernelGrad(Relu6Grad)];
