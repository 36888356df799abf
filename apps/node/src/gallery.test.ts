import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CliError, EXIT } from './errors';
import { galleryFolderExists, galleryKind, openGalleryFolder, readOnlyFileError, suggestedFolder } from './gallery';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'likeness-gallery-'));
  await writeFile(join(dir, 'faces.lkgl'), 'x');
  await writeFile(join(dir, 'faces.bin'), 'x');
  await mkdir(join(dir, 'faces.gallery'));
});
afterEach(() => {
  delete process.env.LIKENESS_LOCK_WAIT_MS;
});

async function failure(p: Promise<unknown>): Promise<CliError> {
  const e = await p.then(() => undefined, (error: unknown) => error);
  expect(e).toBeInstanceOf(CliError);
  return e as CliError;
}

describe('galleryKind', () => {
  it('an existing file is a file whatever its name; a missing path is a file only when it ends in .lkgl; anything else is a folder', async () => {
    expect(await galleryKind(join(dir, 'faces.lkgl'))).toBe('file');
    expect(await galleryKind(join(dir, 'faces.bin'))).toBe('file');
    expect(await galleryKind(join(dir, 'new.LKGL'))).toBe('file');
    expect(await galleryKind(join(dir, 'faces.gallery'))).toBe('folder');
    expect(await galleryKind(join(dir, 'new.gallery'))).toBe('folder');
    expect(await galleryKind(join(dir, 'new'))).toBe('folder');
  });
  it('an empty or missing folder holds no gallery yet', async () => {
    expect(await galleryFolderExists(join(dir, 'faces.gallery'))).toBe(false);
    expect(await galleryFolderExists(join(dir, 'missing'))).toBe(false);
  });
});

describe('readOnlyFileError', () => {
  it('says how to import the file, into a folder named after it', () => {
    expect(suggestedFolder('a/faces.lkgl')).toBe('a/faces.gallery');
    expect(suggestedFolder('faces.bin')).toBe('faces.bin.gallery');
    const e = readOnlyFileError('faces.lkgl');
    expect(e.exitCode).toBe(EXIT.gallery);
    expect(e.message).toContain('likeness gallery import faces.lkgl -g faces.gallery');
  });
});

describe('openGalleryFolder', () => {
  it('refuses a folder holding something else (exit 6), changing nothing', async () => {
    const other = join(dir, 'photos');
    await mkdir(other);
    await writeFile(join(other, 'a.txt'), 'mine');
    const e = await failure(openGalleryFolder(other));
    expect(e.exitCode).toBe(EXIT.gallery);
    expect(e.message).toMatch(/^gallery .*photos cannot be used: .*not a PGlite database/);
    expect(await readdir(other)).toEqual(['a.txt']);
  });
  it('waits LIKENESS_LOCK_WAIT_MS for a folder another live process holds, then exit 8 naming the lock', async () => {
    const held = join(dir, 'held.gallery');
    await mkdir(`${held}.lock`, { recursive: true });
    await writeFile(`${held}.lock/owner.json`, JSON.stringify({ pid: process.pid, host: hostname() }));
    process.env.LIKENESS_LOCK_WAIT_MS = '300';
    const t0 = Date.now();
    const e = await failure(openGalleryFolder(held));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    expect(e.exitCode).toBe(EXIT.busy);
    expect(e.message).toBe(`gallery ${held} is in use by another likeness process (${held}.lock) and stayed locked for 0.3 s: try again; delete ${held}.lock only if no likeness process is running`);
  });
});
