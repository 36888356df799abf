// Bundles a page with esbuild, serves it on 127.0.0.1 and runs it in Debian's
// Chromium (SwiftShader WebGL, no GPU needed) through playwright-core.
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
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

/** The Chromium binary, or an error that says how to install it. */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(
      `Chromium not found at ${path}: the browser tests need it. Install it with \`apt-get install chromium\` ` +
        `(Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium binary. (Never \`playwright install\`.)`,
    );
  }
  return path;
}

/**
 * Bundles `entry` (resolving @likeness/* to their sources), opens it in
 * Chromium from http://127.0.0.1 (a secure context, so navigator.gpu exists)
 * and returns what the page assigns to `window.__likeness`.
 */
export async function runPageInChromium<T>(entry: string, opts: { timeoutMs?: number; log?: string[] } = {}): Promise<T> {
  const executablePath = chromiumPath();
  const bundle = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@likeness/source'],
    write: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const js = bundle.outputFiles[0]!.text;
  const server = http.createServer((req, res) => {
    if (req.url === '/page.js') {
      res.setHeader('content-type', 'text/javascript');
      res.end(js);
    } else {
      res.setHeader('content-type', 'text/html');
      res.end('<!doctype html><meta charset="utf-8"><title>likeness</title><script type="module" src="/page.js"></script>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout: 60_000 });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => opts.log?.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => opts.log?.push(`[pageerror] ${e.message}`));
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => (window as unknown as { __likeness?: unknown }).__likeness !== undefined, undefined, {
      timeout: opts.timeoutMs ?? 90_000,
    });
    return (await page.evaluate(() => (window as unknown as { __likeness: unknown }).__likeness)) as T;
  } finally {
    await browser.close();
    server.close();
  }
}
