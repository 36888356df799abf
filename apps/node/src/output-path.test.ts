import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CliError, EXIT } from './errors';
import { checkOutputPath, IMAGE_EXTENSIONS, writeWithFallback } from './output-path';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'likeness-out-'));
  await writeFile(join(dir, 'file'), 'x');
});

async function failure(p: Promise<unknown>): Promise<CliError> {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(e).toBeInstanceOf(CliError);
  return e as CliError;
}

describe('checkOutputPath', () => {
  it('accepts a new file in an existing or creatable folder, an existing file, any case of a known extension', async () => {
    await checkOutputPath(join(dir, 'out.png'), { flag: '-o', extensions: IMAGE_EXTENSIONS });
    await checkOutputPath(join(dir, 'a/b/c/out.JPG'), { flag: '-o', extensions: IMAGE_EXTENSIONS });
    await checkOutputPath(join(dir, 'file'), { flag: '-g' });
  });
  it('refuses a folder, a path under a file (however deep) and an unknown extension, naming the flag', async () => {
    const folder = await failure(checkOutputPath(dir, { flag: '-g/--gallery' }));
    expect([folder.exitCode, folder.message]).toEqual([EXIT.output, `-g/--gallery ${dir} is a folder: give a file name inside it`]);
    const deep = await failure(checkOutputPath(join(dir, 'file/x/y/out.png'), { flag: '-o', extensions: IMAGE_EXTENSIONS }));
    expect([deep.exitCode, deep.message]).toEqual([EXIT.output, `-o ${join(dir, 'file/x/y/out.png')}: ${join(dir, 'file')} is a file, not a folder: choose another place for the output`]);
    const ext = await failure(checkOutputPath(join(dir, 'out.bmp'), { flag: '-o', extensions: IMAGE_EXTENSIONS }));
    expect(ext.exitCode).toBe(EXIT.usage);
    const none = await failure(checkOutputPath(join(dir, 'out'), { flag: '-o', extensions: ['.png'] }));
    expect(none.message).toMatch(/unsupported extension "\(none\)"; use \.png$/);
  });
  it('with folder: true (a gallery folder), accepts an existing or creatable folder and refuses a file or a path under a file', async () => {
    await checkOutputPath(dir, { flag: '-g/--gallery', folder: true });
    await checkOutputPath(join(dir, 'new/faces.gallery'), { flag: '-g/--gallery', folder: true });
    const file = await failure(checkOutputPath(join(dir, 'file'), { flag: '-g/--gallery', folder: true }));
    expect([file.exitCode, file.message]).toEqual([EXIT.output, `-g/--gallery ${join(dir, 'file')} is a file, not a folder: choose a folder path (it is created when missing)`]);
    const under = await failure(checkOutputPath(join(dir, 'file/faces.gallery'), { flag: '-g/--gallery', folder: true }));
    expect([under.exitCode, under.message]).toEqual([EXIT.output, `-g/--gallery ${join(dir, 'file/faces.gallery')}: ${join(dir, 'file')} is a file, not a folder: choose another place for the output`]);
  });
});

describe('writeWithFallback', () => {
  it('writes the target when it can', async () => {
    await writeWithFallback(join(dir, 'ok/ok.bin'), new Uint8Array([1, 2, 3]), (p, b) => writeFile(p, b));
    expect([...(await readFile(join(dir, 'ok/ok.bin')))]).toEqual([1, 2, 3]);
  });
  it('saves the bytes to a named fallback file when the write fails at the end, and says where (exit 7)', async () => {
    const bytes = new Uint8Array([9, 8, 7, 6]);
    const target = join(dir, 'gone.png');
    const write = async (p: string, b: Uint8Array) => {
      if (p === target) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      await writeFile(p, b);
    };
    const e = await failure(writeWithFallback(target, bytes, write));
    expect(e.exitCode).toBe(EXIT.output);
    const m = /^cannot write (.+) \(ENOSPC\); the result was saved to (.+) instead$/.exec(e.message);
    expect(m?.[1]).toBe(target);
    expect(m![2]!.startsWith(join(tmpdir(), 'likeness-gone-'))).toBe(true);
    expect(m![2]!.endsWith('.png')).toBe(true);
    expect([...(await readFile(m![2]!))]).toEqual([9, 8, 7, 6]);
  });
  it('says the result is lost only when no fallback can be written either', async () => {
    const e = await failure(writeWithFallback(join(dir, 'x.png'), new Uint8Array([1]), async () => Promise.reject(Object.assign(new Error('read-only'), { code: 'EROFS' }))));
    expect(e.message).toMatch(/^cannot write .*x\.png \(EROFS\), nor a fallback copy in .* or the current folder; the result is lost$/);
  });
});
