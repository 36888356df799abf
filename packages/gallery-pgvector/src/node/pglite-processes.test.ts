import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGallery, GalleryStoreError } from '@likeness/embeddings';
import { pkg, runChild } from '../../test/run-child';
import { pgliteGalleryStore } from './pglite-folder-store';

const run = (...args: string[]) => runChild(args);

// Only folders this file created with mkdtemp are removed afterwards.
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'likeness-proc-'));
  dirs.push(d);
  return join(d, 'db');
};

beforeAll(() => {
  // The children load @likeness/embeddings from its build (plain Node cannot run tfjs-core's source).
  if (!existsSync(join(pkg, '../embeddings/dist/index.js'))) throw new Error('build @likeness/embeddings first (pnpm build): the child processes import its dist');
});
afterAll(() => {
  for (const d of dirs) if (d.includes('likeness-proc-')) rmSync(d, { recursive: true, force: true });
});

describe('one PGlite folder, several processes', () => {
  it('two processes enrolling at once: the second waits for the lock, no enrolment is lost', async () => {
    const dir = tmp();
    const a = run('enrol', dir, 'alice', '4', '25');
    const b = run('enrol', dir, 'bob', '4', '25');
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect(ra.lines).toEqual([{ ok: true }]);
    expect(rb.lines).toEqual([{ ok: true }]);
    const g = createGallery({ store: await pgliteGalleryStore({ dataDir: dir, dimension: 8 }) });
    expect(await g.count()).toBe(200);
    expect((await g.entriesOf('alice')).length).toBe(100);
    expect((await g.entriesOf('bob')).length).toBe(100);
    await g.close();
  });

  it('a process that cannot get the lock in time gets a clear "locked" error; the holder is unharmed', async () => {
    const dir = tmp();
    const holder = createGallery({ store: await pgliteGalleryStore({ dataDir: dir, dimension: 8 }) });
    await holder.enrol('alice', [[1, 2, 3, 4, 5, 6, 7, 8]]);
    const r = await run('enrol', dir, 'bob', '1', '1', '500').done;
    expect(r.code).toBe(1);
    expect(r.lines[0]).toMatchObject({ ok: false, name: 'LikenessGalleryStoreError', reason: 'locked' });
    expect((r.lines[0] as { message: string }).message).toMatch(/another process/);
    expect(await holder.count()).toBe(1);
    await holder.close();
    await expect(pgliteGalleryStore({ dataDir: dir, dimension: 8, lockTimeoutMs: 0 }).then((s) => s.close())).resolves.toBeUndefined();
  });

  it('kill -9 inside a bulk enrol transaction: the folder reopens with the committed entries and none of the killed transaction', async () => {
    const dir = tmp();
    const r = await run('crash', dir).done;
    expect(r.signal).toBe('SIGKILL');
    expect(r.lines).toEqual([{ killing: true }]); // killed after 2 of the 3 bulk statements of one transaction
    // the dead holder's lock is taken over at once
    const store = await pgliteGalleryStore({ dataDir: dir, dimension: 8, lockTimeoutMs: 0 });
    const g = createGallery({ store });
    expect(await g.count()).toBe(10);
    expect(await g.identities()).toEqual(['committed']);
    await g.enrol('after', [[1, 1, 1, 1, 1, 1, 1, 1]]); // and it is writable
    expect(await g.count()).toBe(11);
    await g.close();
  });

  it('a locked folder opened from this process is a typed error too', async () => {
    const dir = tmp();
    const s = await pgliteGalleryStore({ dataDir: dir, dimension: 8 });
    await expect(pgliteGalleryStore({ dataDir: dir, dimension: 8, lockTimeoutMs: 200 })).rejects.toSatisfy((e: unknown) => GalleryStoreError.isInstance(e) && e.reason === 'locked' && e.setting === 'dataDir');
    await s.close();
  });
});
