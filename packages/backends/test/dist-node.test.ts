import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const fixtures = fileURLToPath(new URL('./dist-fixtures/', import.meta.url));
const FILES = ['index.js', 'index.cjs', 'cpu.js', 'cpu.cjs', 'wasm.js', 'wasm.cjs', 'testing.js', 'conformance.js'];

interface Grads {
  backend: string;
  dx: number[];
  dw: number[];
  gr: number[];
  gk: number[];
}

function runNode(script: string): { format: string; cpu: Grads; wasm: Grads } {
  const missing = FILES.filter((f) => !existsSync(dist + f));
  if (missing.length > 0) {
    throw new Error(
      `packages/backends/dist is missing ${missing.join(', ')}: build first with ` +
        '`pnpm --filter @likeness/backends build` (turbo runs build before test).',
    );
  }
  const out = execFileSync(process.execPath, [fixtures + script], { encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

describe('the built package in plain Node', () => {
  for (const script of ['smoke.mjs', 'smoke.cjs']) {
    it(`${script}: conv2d gradients work on cpu and wasm`, () => {
      const r = runNode(script);
      expect(r.format).toBe(script.endsWith('.cjs') ? 'cjs' : 'esm');
      for (const name of ['cpu', 'wasm'] as const) {
        expect(r[name].backend).toBe(name);
        // Hand-computed: Σ conv(ones 3×3, ones 2×2): each weight sees 4 windows; pixel counts of covering windows.
        expect(r[name].dw).toEqual([4, 4, 4, 4]);
        expect(r[name].dx).toEqual([1, 2, 1, 2, 4, 2, 1, 2, 1]);
      }
      // conv → maxPool: wasm agrees with cpu.
      r.wasm.gr.forEach((v, i) => expect(v).toBeCloseTo(r.cpu.gr[i]!, 5));
      r.wasm.gk.forEach((v, i) => expect(v).toBeCloseTo(r.cpu.gk[i]!, 5));
      expect(r.cpu.gk.some((v) => v !== 0)).toBe(true);
    });
  }
});
