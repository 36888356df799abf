/**
 * @likeness-example/face-eval — the ORL protocol of EVAL-FACES.md as
 * reusable functions, so every strategy is measured by the same code.
 */

// Data
export { loadOrl, locateOrl, ORL_PEOPLE } from './orl';
export type { OrlImage } from './orl';
export { ORL_SPLITS } from './splits';
export type { OrlSplit } from './splits';

// Protocol
export {
  pairDistances,
  oneShotTop1,
  evaluateEncoderOnSplit,
  evaluateAllPeople,
  evaluateSplits,
  summarize,
  formatSummaryRow,
  SUMMARY_HEADER,
} from './protocol';
export type { EmbedFn, EvalResult, EvalOptions, MeanStd, PairMetric } from './protocol';
