import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Writes a file so that a crash leaves either the old or the new content,
 * never a partial file: write a temporary file beside it, fsync, rename over
 * the target, fsync the directory.
 *
 * @example
 * ```ts
 * await writeFileAtomic('gallery.json', JSON.stringify(data)); // Uint8Array or string
 * ```
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  try {
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  try {
    const dh = await open(dirname(path), 'r');
    await dh.sync().catch(() => undefined);
    await dh.close();
  } catch {
    // directories cannot be fsynced on every platform; the rename is still atomic
  }
}
