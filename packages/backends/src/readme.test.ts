import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReadmeExample } from '../../../scripts/readme-example';

describe('README example', () => {
  it("runs as written on wasm: the gradients of Σ conv2d(x, w, 'same') match a brute-force computation", async () => {
    const { logs, cleanup } = await runReadmeExample(join(__dirname, '..'));
    cleanup();
    const [name, dx, dw] = logs[0] as [string, Float32Array, Float32Array];
    expect(name).toBe('wasm');
    // y[i,j] = Σ_{p,q} x[i+p, j+q]·w[p,q] with x zero outside 4×4 ('same' pads a 2×2 kernel after, not before).
    const x = (i: number, j: number) => (i < 4 && j < 4 ? i * 4 + j + 1 : 0);
    const w = [1, 2, 3, 4];
    const wantDx = new Array(16).fill(0), wantDw = new Array(4).fill(0);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) for (let p = 0; p < 2; p++) for (let q = 0; q < 2; q++) {
      if (i + p < 4 && j + q < 4) wantDx[(i + p) * 4 + j + q] += w[p * 2 + q]!;
      wantDw[p * 2 + q] += x(i + p, j + q);
    }
    expect(Array.from(dx)).toEqual(wantDx);
    expect(Array.from(dw)).toEqual(wantDw);
  });
});
