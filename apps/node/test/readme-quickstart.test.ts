/**
 * The root README's quick start is followed by three lines (the block after
 * `<!-- quick-start-cli -->`): enrol and identify on face-api's demo photos
 * with `pnpm likeness`, then `pnpm web`. Each is run here exactly as written,
 * from the repo root: the CLI lines must exit 0 and write what they say; the
 * web line must serve the app on the port the README gives, and is stopped.
 * Needs the apps built (the root `pnpm test` builds first).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../../..');
// The gallery is a folder (PGlite); identify writes the annotated image.
const outputs = ['apps/node/output/faces.gallery', 'apps/node/output/identified.png'].map((f) => join(root, f));

async function quickStartLines(): Promise<string[]> {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const block = /<!-- quick-start-cli[^>]*-->\s*```sh\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README.md has no <!-- quick-start-cli --> block');
  return block[1]!.split('\n').filter((l) => l.trim() !== '');
}

/** Runs one README line in bash from the repo root (a fresh process group, so it can be stopped with its children). */
function run(line: string, options: { until?: (out: string) => boolean } = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const env = { ...process.env };
    delete env.INIT_CWD; // as when typed in a shell at the root
    const child = spawn('bash', ['-c', line], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const collect = (d: Buffer) => (out += d.toString());
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('exit', (code) => done({ code, out }));
    if (options.until) {
      const poll = setInterval(() => {
        if (options.until!(out)) {
          clearInterval(poll);
          process.kill(-child.pid!, 'SIGTERM');
        }
      }, 250);
      child.once('exit', () => clearInterval(poll));
    }
  });
}

const saved: string[] = [];
beforeAll(async () => {
  for (const app of ['node', 'web']) {
    if (!existsSync(join(root, `apps/${app}/dist`))) throw new Error(`apps/${app} is not built: run \`pnpm build\` (or \`pnpm test\` at the root, which builds first)`);
  }
  // Keep a user's own files from an earlier run of these lines.
  for (const f of outputs) if (existsSync(f)) await rename(f, `${f}.before-test`).then(() => saved.push(f));
});

afterAll(async () => {
  for (const f of outputs) await rm(f, { force: true, recursive: true });
  for (const f of saved) await rename(`${f}.before-test`, f);
});

describe('README quick-start follow-up lines', () => {
  it('are three: enrol, identify and the web app', async () => {
    const lines = await quickStartLines();
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/ likeness enrol /);
    expect(lines[1]).toMatch(/ likeness identify /);
    expect(lines[2]).toMatch(/ web\b.*http:\/\/127\.0\.0\.1:4173/);
  });

  it('enrol then identify, as written: the enrolled face is named in the photo, the annotated image is written', async () => {
    const [enrol, identify] = await quickStartLines();
    const e = await run(enrol!);
    expect(e.code, e.out).toBe(0);
    expect(e.out).toMatch(/enrolled ada: 1 face\(s\) added/);
    const i = await run(identify!);
    expect(i.code, i.out).toBe(0);
    expect(i.out).toMatch(/: ada \(distance 0\.0\d\d\)/);
    expect(i.out).toMatch(/annotated image: apps\/node\/output\/identified\.png/);
    expect((await sharp(outputs[1]!).metadata()).format).toBe('png');
  }, 300_000);

  it('the web line serves the app on the port the README gives, and stops', async () => {
    const [, , web] = await quickStartLines();
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec(web!)![0];
    let page = '';
    const r = await run(web!.replace(/#.*$/, ''), {
      until: () => {
        if (page) return true;
        fetch(url)
          .then(async (res) => (res.ok ? (page = await res.text()) : ''))
          .catch(() => undefined);
        return false;
      },
    });
    expect(page, r.out).toMatch(/<html/i);
    // vite colours its banner when the terminal allows (it splits the URL with escape codes).
    expect(r.out.replace(/\x1b\[[0-9;]*m/g, '')).toContain(url);
    // Stopped: nothing answers any more.
    await expect(fetch(url)).rejects.toThrow();
  }, 120_000);
});
