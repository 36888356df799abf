import { fileURLToPath } from 'node:url';
import { runPageInChromium } from '@likeness/backends/testing/browser';
import { describe, expect, it } from 'vitest';

interface StepResult {
  backend: string;
  loss: number;
  grads: number[][];
  moving: number[][];
  leaked: number;
}

describe('compact encoder training on webgpu in Chromium (SwiftShader)', () => {
  it('one step (batch norm with its closed-form gradient) gives cpu’s loss, gradients and moving statistics, and leaks nothing', { timeout: 180_000 }, async () => {
    const log: string[] = [];
    const out = await runPageInChromium<{ cpu?: StepResult; webgpu?: StepResult; error?: string }>(
      fileURLToPath(new URL('./browser/training-page.ts', import.meta.url)),
      { log, conditions: ['@likeness/source'], timeoutMs: 150_000 },
    );
    expect(out.error, `${out.error}\n${log.join('\n')}`).toBeUndefined();
    const { cpu, webgpu } = out as { cpu: StepResult; webgpu: StepResult };
    expect(webgpu.backend).toBe('webgpu');
    expect(webgpu.loss).toBeCloseTo(cpu.loss, 3);
    expect(webgpu.grads.length).toBe(cpu.grads.length);
    cpu.grads.forEach((g, i) => {
      const scale = Math.max(...g.map(Math.abs));
      expect(scale).toBeGreaterThan(0);
      g.forEach((v, k) => expect(Math.abs(webgpu.grads[i]![k]! - v)).toBeLessThan(1e-3 * scale + 1e-6));
    });
    cpu.moving.forEach((m, i) => m.forEach((v, k) => expect(webgpu.moving[i]![k]!).toBeCloseTo(v, 4)));
    expect(cpu.leaked).toBe(0);
    expect(webgpu.leaked).toBe(0);
  });
});
