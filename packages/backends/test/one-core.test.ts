import { createRequire } from 'node:module';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Two copies of @tensorflow/tfjs-core break backend registration (tfjs#5042):
// every workspace package must resolve the very same one.
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function workspaceDirs(): string[] {
  return ['packages', 'apps'].flatMap((top) =>
    readdirSync(join(repo, top))
      .map((d) => join(repo, top, d))
      .filter((d) => existsSync(join(d, 'package.json'))),
  );
}

describe('one tfjs-core across the workspace', () => {
  it('resolves @tensorflow/tfjs-core to one directory from every package and app', () => {
    const seen = new Map<string, string[]>();
    for (const dir of workspaceDirs()) {
      const req = createRequire(join(dir, 'package.json'));
      let where: string;
      try {
        where = realpathSync(dirname(req.resolve('@tensorflow/tfjs-core/package.json')));
      } catch {
        continue; // a package that does not use tfjs-core at all
      }
      seen.set(where, [...(seen.get(where) ?? []), dir.slice(repo.length + 1)]);
    }
    expect(seen.size, `copies: ${JSON.stringify([...seen], null, 1)}`).toBe(1);
    const version = (createRequire(join([...seen.keys()][0]!, 'package.json'))('./package.json') as { version: string })
      .version;
    expect(version).toMatch(/^4\.22\./);
  });
});
