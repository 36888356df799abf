import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReadmeExample } from '../../../scripts/readme-example';

describe('README example', () => {
  it('runs as written: in Node (no WebGL) webgl is refused with a reason and wasm is chosen', async () => {
    expect(typeof (globalThis as { WebGL2RenderingContext?: unknown }).WebGL2RenderingContext).toBe('undefined');
    const { logs, cleanup } = await runReadmeExample(join(__dirname, '..'));
    cleanup();
    const [name, refused] = logs[0] as [string, { name: string; reason: string }[]];
    expect(name).toBe('wasm');
    expect(refused.map((r) => r.name)).toContain('webgl');
    expect(refused.find((r) => r.name === 'webgl')!.reason.length).toBeGreaterThan(0);
  });
});
