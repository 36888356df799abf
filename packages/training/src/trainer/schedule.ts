import { describeValue, InvalidArgumentError } from '@likeness/backends';

/**
 * Learning-rate schedule over `steps` steps:
 * - `'constant'`;
 * - `'cosine'`: lr₀·½(1 + cos(π·t/T)), down to 0 at the last step;
 * - `{ type: 'step', every, gamma }`: lr₀·gamma^⌊t/every⌋;
 * - a function `(step, totalSteps, baseRate) => rate`.
 * Any of them can be preceded by `warmupSteps` of linear warm-up (see the trainer).
 */
export type LearningRateSchedule =
  | 'constant'
  | 'cosine'
  | {
    /** Step decay. */
    type: 'step';
    /** Steps between two decays. */
    every: number;
    /** Factor applied at each decay. */
    gamma: number;
  }
  | ((step: number, totalSteps: number, baseRate: number) => number);

/**
 * The learning rate at step t (0-based).
 *
 * @example
 * ```ts
 * learningRateAt('cosine', 150, 300, 1e-3); // → 5e-4
 * ```
 */
export function learningRateAt(schedule: LearningRateSchedule, step: number, totalSteps: number, baseRate: number, warmupSteps = 0): number {
  let lr: number;
  if (schedule === 'constant') lr = baseRate;
  else if (schedule === 'cosine') lr = baseRate * 0.5 * (1 + Math.cos((Math.PI * Math.min(step, totalSteps)) / Math.max(totalSteps, 1)));
  else if (typeof schedule === 'function') lr = schedule(step, totalSteps, baseRate);
  else if (schedule != null && typeof schedule === 'object' && schedule.type === 'step') lr = baseRate * schedule.gamma ** Math.floor(step / schedule.every);
  else throw new InvalidArgumentError({ fn: 'learningRateAt', argument: 'schedule', message: `expected 'constant', 'cosine', { type: 'step', every, gamma } or a function, got ${describeValue(schedule)}.` });
  if (warmupSteps > 0 && step < warmupSteps) lr *= (step + 1) / warmupSteps;
  if (!Number.isFinite(lr) || lr < 0) {
    throw new InvalidArgumentError({ fn: 'learningRateAt', argument: 'schedule', message: `the schedule gave learning rate ${lr} at step ${step}; it must be a finite number ≥ 0.` });
  }
  return lr;
}
