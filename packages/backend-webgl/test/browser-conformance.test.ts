import type { BackendChoice } from '@likeness/backends';
import type { ConformanceReport } from '@likeness/backends/conformance';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runPageInChromium } from '@likeness/backends/testing/browser';

describe('webgl plugin in Chromium (SwiftShader)', () => {
  it('is chosen by useBackend and passes the conformance kit against cpu', { timeout: 120_000 }, async () => {
    const log: string[] = [];
    const out = await runPageInChromium<{ choice?: BackendChoice; report?: ConformanceReport; error?: string }>(
      fileURLToPath(new URL('./browser/webgl-page.ts', import.meta.url)),
      { log, conditions: ['@likeness/source'] },
    );
    expect(out.error, `${out.error}\n${log.join('\n')}`).toBeUndefined();
    expect(out.choice?.name).toBe('webgl');
    const failed = out.report!.results.filter((r) => !r.ok);
    expect(failed, JSON.stringify(failed, null, 1)).toEqual([]);
    expect(out.report!.results.length).toBeGreaterThan(15);
  });
});
