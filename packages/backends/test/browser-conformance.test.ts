import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { BackendChoice } from '../src/use-backend';
import type { ConformanceReport } from '../src/testing/run-conformance';
import { runPageInChromium } from '../src/testing-browser';

describe('webgpu in Chromium (SwiftShader)', () => {
  it('passes the conformance kit against cpu', { timeout: 120_000 }, async () => {
    const log: string[] = [];
    const out = await runPageInChromium<{ choice?: BackendChoice; report?: ConformanceReport; error?: string }>(
      fileURLToPath(new URL('./browser/webgpu-page.ts', import.meta.url)),
      { log, conditions: ['@likeness/source'] },
    );
    expect(out.error, `${out.error}\n${log.join('\n')}`).toBeUndefined();
    expect(out.choice?.name).toBe('webgpu');
    const failed = out.report!.results.filter((r) => !r.ok);
    expect(failed, JSON.stringify(failed, null, 1)).toEqual([]);
    expect(out.report!.results.length).toBeGreaterThan(15);
  });
});
