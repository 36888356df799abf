import * as tf from '@tensorflow/tfjs-core';
import { describeValue, InvalidArgumentError } from '@likeness/backends';

/** Built-in optimiser names, or any tf.Optimizer you construct yourself. */
export type OptimizerChoice = 'adam' | 'sgd' | 'momentum' | 'rmsprop' | tf.Optimizer;
/** The built-in optimiser names of {@link OptimizerChoice}. */
export const OPTIMIZER_NAMES = Object.freeze(['adam', 'sgd', 'momentum', 'rmsprop'] as const);

/**
 * Makes an optimiser (`'momentum'` uses 0.9). An instance is returned as is.
 *
 * @example
 * ```ts
 * const opt = createOptimizer('adam', 1e-3);
 * ```
 */
export function createOptimizer(choice: OptimizerChoice, learningRate: number): tf.Optimizer {
  if (choice != null && typeof choice === 'object' && choice instanceof tf.Optimizer) return choice;
  switch (choice) {
    case 'adam':
      return tf.train.adam(learningRate);
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'momentum':
      return tf.train.momentum(learningRate, 0.9);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate);
    default:
      throw new InvalidArgumentError({ fn: 'createOptimizer', argument: 'optimizer', message: `expected one of 'adam', 'sgd', 'momentum', 'rmsprop' or a tf.Optimizer, got ${describeValue(choice)}.` });
  }
}

/**
 * Changes an optimiser's learning rate in place (tfjs optimisers read it at
 * every `applyGradients`). Works for tfjs' SGD, momentum, Adam, Adamax,
 * RMSProp, Adagrad and Adadelta.
 *
 * @example
 * ```ts
 * setLearningRate(opt, 5e-4);
 * ```
 */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  const o = optimizer as unknown as { setLearningRate?: (lr: number) => void; learningRate?: number };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(learningRate);
  else if (typeof o.learningRate === 'number') o.learningRate = learningRate;
  else {
    throw new InvalidArgumentError({ fn: 'setLearningRate', argument: 'optimizer', message: `${optimizer.getClassName()} has no learning rate this trainer can set; use schedule: 'constant'.` });
  }
}
