import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package folder (the children run from it). */
export const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const child = join(pkg, 'test/fixtures/child.ts');

export interface ChildRun {
  proc: ChildProcess;
  /** Resolves when the child exits, with its JSON output lines. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; lines: unknown[] }>;
}

/** Starts `test/fixtures/child.ts` with these arguments in a separate Node process. */
export function runChild(args: readonly string[], env: Record<string, string> = {}): ChildRun {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, ...args], { cwd: pkg, stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; lines: unknown[] }>((resolve) => {
    proc.on('close', (code, signal) => resolve({ code, signal, lines: out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)) }));
  });
  return { proc, done };
}
