import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { GalleryStoreError } from '@likeness/embeddings';

interface Owner {
  pid: number;
  host: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(lockDir: string): Owner | null {
  try {
    return JSON.parse(readFileSync(`${lockDir}/owner.json`, 'utf8')) as Owner;
  } catch {
    return null;
  }
}

/**
 * @internal An exclusive lock on a database folder: the directory
 * `<dir>.lock` (created atomically) holding the owner's pid and host. A lock
 * whose owner process is gone (same host) is taken over at once; an
 * owner that is alive is waited for up to `timeoutMs`, however long it
 * blocks its event loop (a time-based staleness check would hand the folder
 * to a second writer while PGlite runs a long synchronous step).
 */
export async function lockFolder(dir: string, timeoutMs: number): Promise<() => void> {
  const lockDir = `${dir}.lock`;
  const host = hostname();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(`${lockDir}/owner.json`, JSON.stringify({ pid: process.pid, host } satisfies Owner));
      return () => rmSync(lockDir, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = readOwner(lockDir);
    let stale = false;
    if (owner) stale = owner.host === host && !alive(owner.pid);
    else {
      // created but not yet written, or its writer died in between
      try {
        stale = Date.now() - statSync(lockDir).mtimeMs > 5_000;
      } catch {
        continue; // released meanwhile
      }
    }
    if (stale) {
      try {
        const aside = `${lockDir}.stale-${process.pid}-${Date.now()}`;
        renameSync(lockDir, aside);
        rmSync(aside, { recursive: true, force: true });
      } catch {
        // another waiter took it over first
      }
      continue;
    }
    if (Date.now() >= deadline) {
      const who = owner ? `process ${owner.pid} on ${owner.host}` : 'another process';
      throw new GalleryStoreError({ reason: 'locked', setting: 'dataDir', message: `${dir} is open in another process (${who}; waited ${timeoutMs} ms). PGlite serves one process at a time: close the other one, raise lockTimeoutMs, or share the gallery through postgresGalleryStore. If that process is gone from another machine, delete ${lockDir}.` });
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
