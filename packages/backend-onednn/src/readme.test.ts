import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReadmeExample } from '../../../scripts/readme-example';
import { oneDnnAvailability } from '../test/availability';

describe('README example', () => {
  it('runs as written: onednn where its addon loads (else wasm, with the reason), and [[1,2],[3,4]]·[5,6]ᵀ = [17,39]', async () => {
    const { available } = oneDnnAvailability();
    const { logs, cleanup } = await runReadmeExample(join(__dirname, '..'));
    cleanup();
    const [name, refused, y] = logs[0] as [string, { name: string; reason: string }[], Float32Array];
    if (available) {
      expect(name).toBe('onednn');
      expect(refused).toEqual([]);
    } else {
      expect(name).toBe('wasm');
      expect(refused[0]?.name).toBe('onednn');
      expect(refused[0]?.reason).toMatch(/oneDNN/);
    }
    expect(Array.from(y)).toEqual([1 * 5 + 2 * 6, 3 * 5 + 4 * 6]);
  });
});
