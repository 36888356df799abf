import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReadmeExample } from '../../../scripts/readme-example';

describe('README example', () => {
  it('runs as written: the enrolled face identified as anna (first: the largest), the other faces of the photo unknown', async () => {
    const { logs, cleanup } = await runReadmeExample(join(__dirname, '..'));
    cleanup();
    const [[answers]] = logs as [[[string | null, string][]]];
    expect(answers.length).toBeGreaterThanOrEqual(2); // face-api's sample1.jpg shows three people
    expect(answers[0]![0]).toBe('anna');
    expect(Number(answers[0]![1])).toBeLessThan(0.6); // its own photo: far below the calibrated threshold
    for (const a of answers.slice(1)) {
      expect(a[0]).toBeNull();
      expect(Number(a[1])).toBeGreaterThan(Number(answers[0]![1]));
    }
  }, 180_000);
});
