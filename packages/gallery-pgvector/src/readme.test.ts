import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runReadmeExample, type ReadmeRun } from '../../../scripts/readme-example';

describe('README example', () => {
  let run: ReadmeRun | undefined;
  afterAll(() => run?.cleanup());

  it('runs as written: alice is the nearest identity and the folder holds the gallery', async () => {
    run = await runReadmeExample(join(__dirname, '..'));
    const [[identity, distance], [identities, count]] = run.logs as [[string, number], [string[], number]];
    // Nearest of alice's rows [0,0,0], [0.1,0,0] and bob's [1,1,1] to [0.05,0,0], by hand: 0.05 (both of alice's).
    expect(identity).toBe('alice');
    expect(distance).toBeCloseTo(0.05, 6);
    expect(identities).toEqual(['alice', 'bob']);
    expect(count).toBe(3);
    expect(existsSync(join(run.cwd, 'faces-db'))).toBe(true);
  });
});
