import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReadmeExample } from '../../../scripts/readme-example';

type Verdict = { probability: number; same: boolean };

describe('README example', () => {
  it('runs as written: a probe of the enrolled person is accepted, a probe of another person refused', async () => {
    const { logs, cleanup } = await runReadmeExample(join(__dirname, '..'));
    cleanup();
    const [alice, other] = logs[0] as [Verdict, Verdict];
    expect(alice.same).toBe(true);
    expect(other.same).toBe(false);
    expect(alice.probability).toBeGreaterThan(other.probability);
    for (const p of [alice.probability, other.probability]) expect(p >= 0 && p <= 1).toBe(true);
  }, 120_000);
});
