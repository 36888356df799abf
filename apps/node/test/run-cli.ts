// Spawning the real `likeness` CLI from the tests: `node --import tsx src/cli.ts …`,
// the way a user runs the app's source, with the exit code and both outputs.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadOneDnn } from '@likeness/backend-onednn';

const require = createRequire(import.meta.url);

/** The app's root folder (apps/node). */
export const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** tsx's loader, for `node --import` (no build step between a source change and the test). */
export const tsxLoader = pathToFileURL(join(dirname(require.resolve('tsx/package.json')), 'dist/loader.mjs')).href;

/** What one CLI run gave: its exit code (0 on success) and everything it printed. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Where and how long a CLI run may take, and extra environment variables. */
export interface CliRunOptions {
  /** Working directory of the process. */
  cwd: string;
  /** Killed after this many ms (its code is then non-zero). */
  timeoutMs: number;
  /** Added to (and overriding) this process's environment. */
  env?: Record<string, string>;
}

/** Runs `likeness <args>` to completion; never rejects (a failure is a non-zero `code`). */
export function runCli(args: readonly string[], options: CliRunOptions): Promise<CliRun> {
  return new Promise((done) => {
    const env = options.env ? { ...process.env, ...options.env } : process.env;
    execFile(process.execPath, ['--import', tsxLoader, join(appDir, 'src/cli.ts'), ...args], { cwd: options.cwd, timeout: options.timeoutMs, env }, (error, stdout, stderr) => {
      done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Whether @likeness/backend-onednn's addon loads here (libdnnl installed and the addon built). */
export function oneDnnLoads(): boolean {
  try {
    loadOneDnn();
    return true;
  } catch {
    return false;
  }
}
