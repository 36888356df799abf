/**
 * @likeness/backends/testing — tools for plugin authors and package tests.
 * `describeBackendConformance` needs vitest (an optional peer); everything
 * else runs anywhere, including a browser page.
 *
 * @module @likeness/backends/testing
 */

// Leak checks
export { expectNoLeaks } from './testing/expect-no-leaks';

// Conformance kit
export { describeBackendConformance } from './testing/describe-backend-conformance';
export { runConformance, runConformanceCase, selectConformanceCases } from './testing/run-conformance';
export type { ConformanceOptions, ConformanceReport, ConformanceResult } from './testing/run-conformance';
export { CONFORMANCE_CASES } from './testing/conformance-cases';
export type { ConformanceCase } from './testing/conformance-cases';

// Inputs
export { seededValues } from './testing/seeded-values';
