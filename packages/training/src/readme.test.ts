import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runReadmeExample, type ReadmeRun } from '../../../scripts/readme-example';
import { fileCheckpointStore } from './node';

describe('README example', () => {
  let run: ReadmeRun | undefined;
  afterAll(() => run?.cleanup());

  it('runs as written: 30 steps whose loss falls, and a checkpoint of the last step on disk', async () => {
    run = await runReadmeExample(join(__dirname, '..'));
    const [steps, losses] = run.logs[0] as [number, number[]];
    expect(steps).toBe(30);
    expect(losses).toHaveLength(30);
    const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
    expect(mean(losses.slice(-10))).toBeLessThan(0.5 * mean(losses.slice(0, 10)));
    const saved = await fileCheckpointStore(join(run.cwd, 'runs', 'demo')).load();
    expect(saved?.manifest.step).toBe(30);
  }, 120_000);
});
