import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CHROMIUM_ARGS, chromiumPath } from './chromium-path';

/** Options of {@link runPageInChromium}. */
export interface RunPageOptions {
  /** How long the page may take to set `window.__likeness`. Default 90 000 ms. */
  timeoutMs?: number;
  /** Receives the page's console messages and uncaught errors, one line each. */
  log?: string[];
  /** Package export conditions for bundling (e.g. `['@likeness/source']` in this monorepo). Default none. */
  conditions?: string[];
  /** The Chromium binary (see {@link chromiumPath}). */
  executablePath?: string;
}

/**
 * Bundles the page module `entry` with esbuild, serves it from
 * http://127.0.0.1 (a secure context, so `navigator.gpu` exists), opens it in
 * headless Chromium through playwright-core and resolves with what the page
 * assigns to `window.__likeness`. Needs the optional peers `esbuild` and
 * `playwright-core`, and a Chromium binary; plugin authors use it to run the
 * conformance kit in a real browser.
 *
 * @example
 * ```ts
 * // page.ts: await useBackend('webgpu'); window.__likeness = await runConformance({ backend: 'webgpu' });
 * const report = await runPageInChromium<ConformanceReport>('test/page.ts', { log: [] });
 * ```
 */
export async function runPageInChromium<T>(entry: string, opts: RunPageOptions = {}): Promise<T> {
  const executablePath = chromiumPath(opts.executablePath);
  const [{ build }, { chromium }] = await Promise.all([import('esbuild'), import('playwright-core')]);
  const bundle = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: opts.conditions ?? [],
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
  try {
    const browser = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS], timeout: 60_000 });
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
    }
  } finally {
    server.close();
  }
}
