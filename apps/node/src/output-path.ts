import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { CliError, EXIT } from './errors';

/** Image formats the CLI writes, by extension. */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'] as const;

/** Options of {@link checkOutputPath}. */
export interface OutputCheck {
  /** The flag that named the path, for the message (`-o/--out`). */
  flag: string;
  /** Accepted extensions (lower case, with the dot); any when omitted. */
  extensions?: readonly string[];
  /** The output is a folder (e.g. a gallery database): an existing writable folder is fine, a file is not. @defaultValue false */
  folder?: boolean;
}

/**
 * Checks, before any work starts, that `path` can be written: a supported
 * extension, not a folder, and its folder either exists and is writable or
 * can be created (the nearest existing ancestor is a writable folder). The
 * caller creates the folder when it writes ({@link ensureParent}).
 *
 * @throws CliError(EXIT.usage) for an unsupported extension,
 *   CliError(EXIT.output) for a path that cannot be written — one line naming the flag, the path and the fix.
 *
 * @example
 * ```ts
 * await checkOutputPath('out/stylised.png', { flag: '-o/--out', extensions: IMAGE_EXTENSIONS });
 * ```
 */
export async function checkOutputPath(path: string, check: OutputCheck): Promise<void> {
  if (check.extensions) {
    const ext = extname(path).toLowerCase();
    if (!check.extensions.includes(ext)) {
      throw new CliError(`${check.flag} ${path}: unsupported extension "${ext || '(none)'}"; use ${formatList(check.extensions)}`, EXIT.usage);
    }
  }
  const file = resolve(path);
  const self = await stat(file).catch(() => undefined);
  if (check.folder && self) {
    if (!self.isDirectory()) throw new CliError(`${check.flag} ${path} is a file, not a folder: choose a folder path (it is created when missing)`, EXIT.output);
    if (!(await writable(file, constants.W_OK | constants.X_OK))) throw new CliError(`${check.flag} ${path}: folder ${file} is not writable: choose another place`, EXIT.output);
    return;
  }
  if (self?.isDirectory()) throw new CliError(`${check.flag} ${path} is a folder: give a file name inside it`, EXIT.output);
  if (self && !(await writable(file))) throw new CliError(`${check.flag} ${path} exists and cannot be overwritten (permission denied): choose another file`, EXIT.output);
  // The nearest existing ancestor must be a folder we may create entries in.
  let dir = dirname(file);
  for (;;) {
    const info = await stat(dir).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' || error.code === 'ENOTDIR' ? undefined : error));
    if (info instanceof Error) {
      throw new CliError(`${check.flag} ${path}: cannot use folder ${dir} (${(info as NodeJS.ErrnoException).code ?? info.message}): choose another place`, EXIT.output);
    }
    if (info) {
      if (!info.isDirectory()) throw new CliError(`${check.flag} ${path}: ${dir} is a file, not a folder: choose another place for the output`, EXIT.output);
      if (!(await writable(dir, constants.W_OK | constants.X_OK))) throw new CliError(`${check.flag} ${path}: folder ${dir} is not writable: choose another place`, EXIT.output);
      return;
    }
    const up = dirname(dir);
    if (up === dir) return;
    dir = up;
  }
}

/** Creates the folder `path` will be written into (after {@link checkOutputPath} passed). */
export async function ensureParent(path: string): Promise<void> {
  await mkdir(dirname(resolve(path)), { recursive: true });
}

/**
 * Writes `bytes` with `write`; when that fails (disk full, folder removed
 * meanwhile…), writes them to a fallback file in the system's temp folder
 * (or the current folder) so the result is not lost, and throws a
 * CliError(EXIT.output) saying where it went.
 *
 * @example
 * ```ts
 * await writeWithFallback('out.png', png, (p, b) => writeFileAtomic(p, b));
 * ```
 */
export async function writeWithFallback(path: string, bytes: Uint8Array, write: (path: string, bytes: Uint8Array) => Promise<void>): Promise<void> {
  try {
    await ensureParent(path);
    await write(path, bytes);
    return;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    const ext = extname(path);
    const name = `likeness-${basename(path, ext)}-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}${ext}`;
    for (const dir of [tmpdir(), process.cwd()]) {
      const fallback = join(dir, name);
      try {
        await write(fallback, bytes);
        throw new CliError(`cannot write ${path} (${reason}); the result was saved to ${fallback} instead`, EXIT.output, { cause: error });
      } catch (e) {
        if (e instanceof CliError) throw e;
      }
    }
    throw new CliError(`cannot write ${path} (${reason}), nor a fallback copy in ${tmpdir()} or the current folder; the result is lost`, EXIT.output, { cause: error });
  }
}

async function writable(path: string, mode: number = constants.W_OK): Promise<boolean> {
  return access(path, mode).then(
    () => true,
    () => false,
  );
}

function formatList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}
