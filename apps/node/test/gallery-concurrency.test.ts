/**
 * Concurrent and interrupted writes of a gallery file: real child processes
 * (tsx on src/cli.ts, or on the writer fixture) enrolling at once, a lock
 * held past the bounded wait, and kill -9 during saves.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { useBackend } from '@likeness/backends';
import '@likeness/backends/cpu';
import { loadGallery } from '@likeness/embeddings/node';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const appDir = resolve(__dirname, '..');
const tsx = pathToFileURL(join(dirname(require.resolve('tsx/package.json')), 'dist/loader.mjs')).href;
const demoDir = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
let dir = '';

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', tsx, join(appDir, 'src/cli.ts'), ...args], { cwd: dir, timeout: 240_000, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function entries(file: string): Promise<{ identity: string; embedding: Float32Array }[]> {
  const gallery = await loadGallery(join(dir, file));
  try {
    return (await gallery.backingStore!.doEntries()).map((e) => ({ identity: e.identity, embedding: Float32Array.from(e.embedding) }));
  } finally {
    gallery.dispose();
  }
}

beforeAll(async () => {
  if (!existsSync(resolve(appDir, '../../packages/embeddings/dist/index.js'))) {
    throw new Error('@likeness/embeddings is not built: run `pnpm build` (or `pnpm test` at the root, which builds first)');
  }
  await useBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'likeness-lock-'));
  await sharp(join(demoDir, 'sample1.jpg')).extract({ left: 1250, top: 60, width: 480, height: 480 }).jpeg({ quality: 90 }).toFile(join(dir, 'face.jpg'));
});

describe('gallery file under concurrent writers', () => {
  it('keeps every enrolment when 4 processes enrol into one gallery at once, each seeing the earlier ones', async () => {
    const names = ['ann', 'bo', 'cy', 'di'];
    const runs = await Promise.all(names.map((n) => cli(['--json', 'enrol', n, 'face.jpg', '-g', 'shared.lkgl'])));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const ids = (await entries('shared.lkgl')).map((e) => e.identity).sort();
    expect(ids).toEqual(names);
    // Read-modify-write inside the lock: the same face under 4 names → every process but the first saw an earlier one.
    const warned = runs.map((r) => (JSON.parse(r.stdout) as { warnings: unknown[]; people: number }));
    expect(warned.filter((w) => w.warnings.length === 0)).toHaveLength(1);
    expect(warned.map((w) => w.people).sort()).toEqual([1, 2, 3, 4]);
    expect((await readdir(dir)).filter((f) => f.includes('.lock') || f.includes('.tmp-'))).toEqual([]);
  }, 300_000);

  it('keeps all 6 × 15 read-modify-write cycles of 6 processes hammering one gallery file at once', async () => {
    const enroller = join(appDir, 'test/fixtures/gallery-enroller.ts');
    const tags = ['a', 'b', 'c', 'd', 'e', 'f'];
    await Promise.all(
      tags.map(
        (tag) =>
          new Promise<void>((ok, fail) =>
            execFile(process.execPath, ['--import', tsx, enroller, join(dir, 'hammered.lkgl'), tag, '15'], { timeout: 240_000 }, (error, _out, stderr) =>
              error ? fail(new Error(`${tag}: ${stderr}`)) : ok(),
            ),
          ),
      ),
    );
    const ids = (await entries('hammered.lkgl')).map((e) => e.identity).sort();
    expect(ids).toEqual(tags.flatMap((t) => Array.from({ length: 15 }, (_, i) => `${t}-${i}`)).sort());
  }, 300_000);

  it('waits a bounded time for a lock held by another process, then exits 8 with a clear message and the file untouched', async () => {
    await cli(['enrol', 'ann', 'face.jpg', '-g', 'held.lkgl']);
    const before = await readFile(join(dir, 'held.lkgl'));
    await mkdir(join(dir, 'held.lkgl.lock')); // what proper-lockfile creates: another process holds it (fresh, not stale)
    const t0 = Date.now();
    const r = await cli(['--json', 'enrol', 'bo', 'face.jpg', '-g', 'held.lkgl'], { LIKENESS_LOCK_WAIT_MS: '1500' });
    expect(r.code, r.stderr).toBe(8);
    expect(r.stderr).toMatch(/held\.lkgl is locked by another likeness process.*try again/);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 8 } });
    expect(Date.now() - t0).toBeGreaterThan(1500);
    expect(await readFile(join(dir, 'held.lkgl'))).toEqual(before);
  }, 120_000);

  it('never tears the file when a saving process is killed with SIGKILL, and the next save removes stale temp files', async () => {
    const file = join(dir, 'killed.lkgl');
    const writer = join(appDir, 'test/fixtures/gallery-writer.ts');
    let lastDone = -1;
    for (let round = 0; round < 6; round++) {
      const child = spawn(process.execPath, ['--import', tsx, writer, file, String(round * 100_000)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      // Kill after the first completed save of this round plus a random delay (mid-save most of the time).
      await new Promise<void>((ok) => {
        const poll = setInterval(() => {
          if (out.includes('\n')) {
            clearInterval(poll);
            setTimeout(ok, 20 + Math.random() * 400);
          }
        }, 10);
      });
      child.kill('SIGKILL');
      await new Promise((ok) => child.once('exit', ok));
      const done = out.trim().split('\n').map(Number);
      lastDone = Math.max(lastDone, done.at(-1)!);
      // The file loads (checksum, sizes), and holds at least the last save the writer reported complete.
      const all = await entries('killed.lkgl');
      expect(all.filter((e) => e.identity === 'base')).toHaveLength(1000);
      const last = all.filter((e) => e.identity === 'last');
      expect(last).toHaveLength(1);
      expect(last[0]!.embedding[0]).toBeGreaterThanOrEqual(lastDone);
    }
    // A temp file left by a killed save (made here for certainty) is removed by the next save.
    await writeFile(`${file}.tmp-999999-deadbeef`, 'half a gallery');
    const r = await cli(['enrol', 'ann', 'face.jpg', '-g', 'killed.lkgl']);
    expect(r.code, r.stderr).toBe(0);
    expect((await readdir(dir)).filter((f) => f.startsWith('killed.lkgl.tmp-'))).toEqual([]);
    expect((await entries('killed.lkgl')).filter((e) => e.identity === 'ann')).toHaveLength(1);
  }, 300_000);
});
