/**
 * @likeness/backends/conformance — the conformance kit without vitest, for
 * browser pages and scripts: `runConformance(name)` returns a report.
 * (`@likeness/backends/testing` re-exports it next to the vitest suite.)
 *
 * @module @likeness/backends/conformance
 */

// Running the kit
export { runConformance, runConformanceCase, selectConformanceCases } from './testing/run-conformance';
export type { ConformanceOptions, ConformanceReport, ConformanceResult } from './testing/run-conformance';

// The cases
export { CONFORMANCE_CASES } from './testing/conformance-cases';
export type { ConformanceCase } from './testing/conformance-cases';

// Inputs
export { seededValues } from './testing/seeded-values';
