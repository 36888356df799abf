import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReadmeExample } from '../../../scripts/readme-example';

describe('README example', () => {
  it("runs as written: the stylised image has the content's shape and the loss falls", async () => {
    const { logs, cleanup } = await runReadmeExample(join(__dirname, '..'));
    cleanup();
    const [shape, first, last] = logs[0] as [number[], number, number];
    expect(shape).toEqual([1, 96, 96, 3]);
    expect(Number.isFinite(first) && Number.isFinite(last)).toBe(true);
    expect(last).toBeLessThan(0.5 * first);
  }, 120_000);
});
