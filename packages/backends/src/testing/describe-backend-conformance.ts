import { beforeAll, describe, expect, it } from 'vitest';
import { runConformanceCase, selectConformanceCases, type ConformanceOptions } from './run-conformance';

/**
 * A vitest suite checking `backend` against the cpu backend on every op and
 * gradient the likeness packages use (one test per case: values within the
 * case's tolerance, no leaked tensors). Register both backends first.
 *
 * @example
 * ```ts
 * // my-backend.test.ts
 * import '@likeness/backends/cpu';
 * import 'my-likeness-plugin';
 * import { describeBackendConformance } from '@likeness/backends/testing';
 * describeBackendConformance('mybackend');
 * ```
 */
export function describeBackendConformance(backend: string, options: ConformanceOptions = {}): void {
  describe(`${backend} conformance against ${options.reference ?? 'cpu'}`, () => {
    beforeAll(async () => {
      const { useBackend } = await import('../use-backend');
      await useBackend(backend, { allowSwitchWithTensors: true });
    });
    for (const c of selectConformanceCases(options)) {
      it(c.name, async () => {
        const r = await runConformanceCase(backend, c, options);
        expect(r.error, r.error).toBeUndefined();
        expect(r.maxError, `max relative error of ${c.name}`).toBeLessThanOrEqual(r.tolerance);
        expect(r.leakedTensors, 'leaked tensors').toBe(0);
        expect(r.leakedDataIds, 'leaked backend data').toBe(0);
      });
    }
  });
}
