import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReadmeExample } from '../../../scripts/readme-example';

type Face = { box: { width: number; height: number }; score: number; quality: number };

describe('README example', () => {
  it("runs as written: the photo's faces largest first, the enrolled one identified, the others unknown", async () => {
    const { logs, cleanup } = await runReadmeExample(join(__dirname, '..'));
    cleanup();
    const [[found], [answers], [same, distance, confidence]] = logs as [[Face[]], [[string | null, string, string][]], [boolean, string, string]];
    expect(found.length).toBeGreaterThanOrEqual(2);
    const areas = found.map((f) => f.box.width * f.box.height);
    expect(areas).toEqual([...areas].sort((a, b) => b - a));
    expect(answers).toHaveLength(found.length);
    expect(answers[0]![0]).toBe('anna');
    expect(Number(answers[0]![1])).toBeLessThan(0.6);
    for (const a of answers.slice(1)) expect(a[0]).toBeNull();
    expect(typeof same).toBe('boolean');
    expect(Number(distance)).toBeGreaterThan(0);
    expect(Number(confidence) >= 0 && Number(confidence) <= 1).toBe(true);
  }, 180_000);
});
