import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';

/** The first ```ts block of a README, verbatim. */
export function firstTsBlock(readmePath: string): string {
  const text = readFileSync(readmePath, 'utf8');
  const m = /^```ts\n([\s\S]*?)^```$/m.exec(text);
  if (!m) throw new Error(`${readmePath}: no \`\`\`ts block to run; the README must open with an example.`);
  return m[1]!;
}

/** What a README example printed and the folder it ran in. */
export interface ReadmeRun {
  /** The arguments of each `console.log` call, in order. */
  readonly logs: unknown[][];
  /** The (temporary) working directory the example ran in; removed by `cleanup()`. */
  readonly cwd: string;
  /** Removes the working directory. */
  cleanup(): void;
}

/**
 * Runs the first ```ts block of `<packageDir>/README.md` as written, in this
 * test's process (vitest resolves `@likeness/*` to the sources), from a fresh
 * temporary working directory, and returns what it printed with `console.log`.
 * The block is written next to the README (so that its imports resolve like
 * the package's own) and removed afterwards.
 */
export async function runReadmeExample(packageDir: string): Promise<ReadmeRun> {
  const code = firstTsBlock(join(packageDir, 'README.md'));
  const file = join(packageDir, `.readme-example-${process.pid}-${Date.now()}.ts`);
  const cwd = mkdtempSync(join(tmpdir(), 'likeness-readme-'));
  const before = process.cwd();
  const logs: unknown[][] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logs.push(args));
  writeFileSync(file, code + '\nexport {};\n');
  try {
    process.chdir(cwd);
    await import(/* @vite-ignore */ file);
  } finally {
    process.chdir(before);
    spy.mockRestore();
    rmSync(file, { force: true });
  }
  return { logs, cwd, cleanup: () => rmSync(cwd, { recursive: true, force: true }) };
}
