import { existsSync } from 'node:fs';
import { InvalidArgumentError } from '../../errors/invalid-argument-error';

/**
 * Chromium flags for headless runs without a GPU: `--headless=new` with
 * `--enable-unsafe-webgpu` gives a SwiftShader WebGPU adapter, and ANGLE on
 * SwiftShader gives WebGL. Slow, but real browser backends.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless=new',
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-gpu-sandbox',
  '--use-angle=swiftshader',
  '--enable-features=Vulkan',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * The Chromium binary to drive: `path`, else `$CHROMIUM_PATH`, else Debian's
 * `/usr/bin/chromium`.
 *
 * @throws InvalidArgumentError when the file does not exist (the message says
 *   how to install Chromium; never `playwright install`).
 * @example
 * ```ts
 * chromiumPath(); // '/usr/bin/chromium'
 * ```
 */
export function chromiumPath(path?: string): string {
  const chosen = path ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chosen)) {
    throw new InvalidArgumentError({
      fn: 'chromiumPath',
      argument: path !== undefined ? 'path' : 'CHROMIUM_PATH',
      message:
        `no Chromium at ${chosen}. Install it with \`apt-get install chromium\` (Debian/Ubuntu) ` +
        'or pass/set the path of a Chromium binary (CHROMIUM_PATH). Browser tests never run `playwright install`.',
    });
  }
  return chosen;
}
