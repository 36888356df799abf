/**
 * Several processes, one gallery folder (PGlite, the CLI's default gallery):
 * real child processes (tsx on src/cli.ts, or on the fixtures) enrolling at
 * once, a lock held past the bounded wait, and kill -9 during writes.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { hostname, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { useBackend } from '@likeness/backends';
import '@likeness/backends/cpu';
import { createGallery } from '@likeness/embeddings';
import { pgliteGalleryStore } from '@likeness/gallery-pgvector/node';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { appDir, runCli, tsxLoader } from './run-cli';

const require = createRequire(import.meta.url);
const demoDir = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
let dir = '';

const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: dir, timeoutMs: 400_000, env });

/** Every entry of a gallery folder, read with the library (which takes the folder's lock, so this waits for writers). */
async function entries(folder: string): Promise<{ identity: string; embedding: Float32Array }[]> {
  const gallery = createGallery({ store: await pgliteGalleryStore({ dataDir: join(dir, folder), dimension: 128, lockTimeoutMs: 60_000 }) });
  try {
    return (await gallery.backingStore!.doEntries()).map((e) => ({ identity: e.identity, embedding: Float32Array.from(e.embedding) }));
  } finally {
    await gallery.close();
  }
}

beforeAll(async () => {
  for (const pkg of ['embeddings', 'gallery-pgvector']) {
    if (!existsSync(resolve(appDir, `../../packages/${pkg}/dist/node.js`))) {
      throw new Error(`@likeness/${pkg} is not built: run \`pnpm build\` (or \`pnpm test\` at the root, which builds first)`);
    }
  }
  await useBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'likeness-lock-'));
  await sharp(join(demoDir, 'sample1.jpg')).extract({ left: 1250, top: 60, width: 480, height: 480 }).jpeg({ quality: 90 }).toFile(join(dir, 'face.jpg'));
});

describe('one gallery folder, several processes', () => {
  it('keeps every enrolment when 4 processes enrol into one gallery at once, each seeing the earlier ones', async () => {
    const names = ['ann', 'bo', 'cy', 'di'];
    const runs = await Promise.all(names.map((n) => cli(['--json', 'enrol', n, 'face.jpg', '-g', 'shared.gallery'])));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const ids = (await entries('shared.gallery')).map((e) => e.identity).sort();
    expect(ids).toEqual(names);
    // Check-then-enrol while holding the folder: the same face under 4 names → every process but the first saw an earlier one.
    const warned = runs.map((r) => JSON.parse(r.stdout) as { warnings: unknown[]; people: number });
    expect(warned.filter((w) => w.warnings.length === 0)).toHaveLength(1);
    expect(warned.map((w) => w.people).sort()).toEqual([1, 2, 3, 4]);
    expect((await readdir(dir)).filter((f) => f.includes('.lock'))).toEqual([]);
  }, 600_000);

  it('keeps every entry of 6 processes each opening the folder 2 times and enrolling 5 entries per opening, all at once', async () => {
    const enroller = join(appDir, 'test/fixtures/gallery-enroller.ts');
    const tags = ['a', 'b', 'c', 'd', 'e', 'f'];
    await Promise.all(
      tags.map(
        (tag) =>
          new Promise<void>((ok, fail) =>
            execFile(process.execPath, ['--import', tsxLoader, enroller, join(dir, 'hammered.gallery'), tag, '2', '5'], { timeout: 600_000 }, (error, _out, stderr) =>
              error ? fail(new Error(`${tag}: ${stderr}`)) : ok(),
            ),
          ),
      ),
    );
    const ids = (await entries('hammered.gallery')).map((e) => e.identity).sort();
    expect(ids).toEqual(tags.flatMap((t) => [0, 1].flatMap((c) => Array.from({ length: 5 }, (_, i) => `${t}-${c}-${i}`))).sort());
  }, 900_000);

  it('waits a bounded time for a folder held by another live process, then exits 8 with a clear message and the gallery untouched', async () => {
    expect((await cli(['enrol', 'ann', 'face.jpg', '-g', 'held.gallery'])).code).toBe(0);
    // What the store's lock looks like while another process has the folder open: this (live) test process.
    await mkdir(join(dir, 'held.gallery.lock'));
    await writeFile(join(dir, 'held.gallery.lock/owner.json'), JSON.stringify({ pid: process.pid, host: hostname() }));
    const t0 = Date.now();
    const r = await cli(['--json', 'enrol', 'bo', 'face.jpg', '-g', 'held.gallery'], { LIKENESS_LOCK_WAIT_MS: '1500' });
    expect(r.code, r.stderr).toBe(8);
    expect(r.stderr).toMatch(/gallery held\.gallery is in use by another likeness process .* stayed locked for 1\.5 s: try again/);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 8 } });
    expect(Date.now() - t0).toBeGreaterThan(1500);
    const { rm } = await import('node:fs/promises');
    await rm(join(dir, 'held.gallery.lock'), { recursive: true });
    expect((await entries('held.gallery')).map((e) => e.identity)).toEqual(['ann']);
  }, 300_000);

  it('keeps every committed write when a writing process is killed with SIGKILL, and the next enrol takes the dead process’s lock over', async () => {
    const folder = join(dir, 'killed.gallery');
    const writer = join(appDir, 'test/fixtures/gallery-writer.ts');
    let lastDone = -1;
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, ['--import', tsxLoader, writer, folder, String(round * 100_000)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      // Kill after the first committed write of this round plus a random delay (mid-transaction most of the time).
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
      expect(existsSync(`${folder}.lock`)).toBe(true); // left behind by the killed process
      // The folder opens (the dead owner's lock is taken over), and holds the base and exactly one "last", at least the last one reported.
      const all = await entries('killed.gallery');
      expect(all.filter((e) => e.identity === 'base')).toHaveLength(1000);
      const last = all.filter((e) => e.identity === 'last');
      expect(last).toHaveLength(1);
      expect(last[0]!.embedding[0]).toBeGreaterThanOrEqual(lastDone);
    }
    // A lock left by a killed process does not block the CLI.
    const { spawnSync } = await import('node:child_process');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    await mkdir(`${folder}.lock`);
    await writeFile(`${folder}.lock/owner.json`, JSON.stringify({ pid: Number(dead), host: hostname() }));
    const r = await cli(['enrol', 'ann', 'face.jpg', '-g', 'killed.gallery'], { LIKENESS_LOCK_WAIT_MS: '1500' });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(`${folder}.lock`)).toBe(false);
    expect((await entries('killed.gallery')).filter((e) => e.identity === 'ann')).toHaveLength(1);
  }, 600_000);
});
