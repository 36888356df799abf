/**
 * The built web app in a real browser: Debian's chromium driven by
 * playwright-core (never `playwright install`), with WebGPU on SwiftShader.
 * Screenshots land in test-results/ (gitignored) as artefacts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic } from './static-server';

const require = createRequire(import.meta.url);
const appDir = resolve(__dirname, '..');
const results = join(appDir, 'test-results');
const fixtures = join(results, 'fixtures');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--use-angle=swiftshader',
  '--enable-features=Vulkan',
  '--use-webgpu-adapter=swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

let browser: Browser;
let server: Awaited<ReturnType<typeof serveStatic>>;

async function openApp(backend: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1100 } });
  page.on('pageerror', (e) => console.error(`[page ${backend}] ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && console.error(`[page ${backend} console] ${m.text()}`));
  await page.goto(`${server.url}?backend=${backend}`);
  await page.waitForFunction(() => ['ready', 'error'].includes(document.getElementById('status')!.dataset.state!), null, { timeout: 120_000 });
  return page;
}

async function load(page: Page, input: string, file: string): Promise<void> {
  await page.$eval('#verify-result', (el) => ((el as HTMLElement).dataset.state = 'test-pending'));
  await page.setInputFiles(input, join(fixtures, file));
  await page.waitForFunction(() => ['loaded', 'error'].includes(document.getElementById('verify-result')!.dataset.state!), null, { timeout: 300_000 });
  const text = await page.$eval('#verify-result', (el) => el.textContent ?? '');
  expect(text).toMatch(/1 face\(s\)/);
}

const loadedA = new WeakMap<Page, string>();

/** Loads the photos (photo A only when it changed: face detection on SwiftShader WebGPU takes tens of seconds) and verifies. */
async function verify(page: Page, a: string, b: string): Promise<{ distance: number; same: boolean; text: string }> {
  if (loadedA.get(page) !== a) await load(page, '#photo-a', a);
  loadedA.set(page, a);
  await load(page, '#photo-b', b);
  await page.click('#verify');
  await page.waitForFunction(() => ['done', 'error'].includes(document.getElementById('verify-result')!.dataset.state!), null, { timeout: 60_000 });
  return page.$eval('#verify-result', (el) => ({
    distance: Number((el as HTMLElement).dataset.distance),
    same: (el as HTMLElement).dataset.same === 'true',
    text: el.textContent ?? '',
  }));
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`chromium not found at ${CHROMIUM}: install Debian's chromium (\`apt-get install chromium\`) or set CHROMIUM_PATH`);
  }
  if (!existsSync(join(appDir, 'dist/index.html'))) {
    const build = spawnSync(process.execPath, [require.resolve('vite/bin/vite.js'), 'build'], { cwd: appDir, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('vite build failed');
  }
  mkdirSync(fixtures, { recursive: true });
  const demo = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
  // Ada: the right-hand face of sample1; a smaller re-compressed copy; another person (from sample4).
  await sharp(join(demo, 'sample1.jpg')).extract({ left: 1250, top: 60, width: 480, height: 480 }).jpeg({ quality: 90 }).toFile(join(fixtures, 'ada.jpg'));
  await sharp(join(fixtures, 'ada.jpg')).resize(300).jpeg({ quality: 60 }).toFile(join(fixtures, 'ada-small.jpg'));
  await sharp(join(demo, 'sample4.jpg')).extract({ left: 880, top: 60, width: 400, height: 450 }).jpeg({ quality: 90 }).toFile(join(fixtures, 'other.jpg'));
  // A style image: bold diagonal colour bands.
  const bands = Array.from({ length: 8 }, (_, i) => `<polygon points="${i * 40 - 160},0 ${i * 40 - 120},0 ${i * 40 + 40},160 ${i * 40},160" fill="${['#e6194b', '#ffe119', '#4363d8', '#3cb44b'][i % 4]}"/>`).join('');
  await sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="160" height="160"><rect width="160" height="160" fill="#111"/>${bands}</svg>`)).png().toFile(join(fixtures, 'style.png'));
  server = await serveStatic(join(appDir, 'dist'));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('web app in chromium', () => {
  const answers: Record<string, { distance: number; same: boolean }> = {};

  it('loads cross-origin isolated and picks webgpu (SwiftShader) on auto', async () => {
    const page = await openApp('auto');
    const status = await page.$eval('#status', (el) => ({ text: el.textContent, backend: (el as HTMLElement).dataset.backend, state: (el as HTMLElement).dataset.state }));
    expect(status.state, status.text ?? '').toBe('ready');
    expect(status.backend).toBe('webgpu');
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    await page.screenshot({ path: join(results, 'loaded.png'), fullPage: true });
    await page.close();
  });

  it('verifies on wasm: a face and its re-compressed copy are the same person, two people are not', async () => {
    const page = await openApp('wasm');
    expect(await page.$eval('#status', (el) => (el as HTMLElement).dataset.backend)).toBe('wasm');
    const same = await verify(page, 'ada.jpg', 'ada-small.jpg');
    expect(same.same, same.text).toBe(true);
    expect(same.distance).toBeLessThan(0.3);
    const other = await verify(page, 'ada.jpg', 'other.jpg');
    expect(other.same, other.text).toBe(false);
    expect(other.distance).toBeGreaterThan(0.6);
    answers.wasm = other;
    await page.screenshot({ path: join(results, 'verify-wasm.png'), fullPage: true });
    await page.close();
  });

  // SwiftShader runs WebGPU on the CPU: face detection takes tens of seconds there, so one pair only.
  it('verifies the same pair on webgpu with the same answer as wasm', { timeout: 600_000 }, async () => {
    const page = await openApp('webgpu');
    expect(await page.$eval('#status', (el) => (el as HTMLElement).dataset.backend)).toBe('webgpu');
    answers.webgpu = await verify(page, 'ada.jpg', 'other.jpg');
    await page.screenshot({ path: join(results, 'verify-webgpu.png'), fullPage: true });
    await page.close();
    console.log('ada vs other, L2 distance:', JSON.stringify(answers));
    expect(answers.wasm, 'the wasm test must run first').toBeDefined();
    expect(answers.webgpu!.same).toBe(answers.wasm!.same);
    expect(Math.abs(answers.webgpu!.distance - answers.wasm!.distance)).toBeLessThan(0.02);
  });

  it('keeps the gallery in PGlite (IndexedDB): enrol → reload → identify, remove, and a one-time move of the old IndexedDB gallery', async () => {
    const page = await openApp('wasm');
    const people = () => page.$$eval('#gallery-list li', (lis) => lis.map((li) => (li.firstChild?.textContent ?? '').trim()));
    const identifyAnswer = async () => {
      await page.$eval('#identify-result', (el) => ((el as HTMLElement).dataset.state = 'test-pending'));
      await page.click('#identify');
      await page.waitForFunction(() => ['done', 'error'].includes(document.getElementById('identify-result')!.dataset.state!), null, { timeout: 60_000 });
      return page.$eval('#identify-result', (el) => ({ state: (el as HTMLElement).dataset.state, text: el.textContent ?? '' }));
    };
    const reload = async () => {
      await page.reload();
      await page.waitForFunction(() => ['ready', 'error'].includes(document.getElementById('status')!.dataset.state!), null, { timeout: 120_000 });
      expect(await page.$eval('#status', (el) => (el as HTMLElement).dataset.state)).toBe('ready');
    };
    expect(await people()).toEqual([]);

    await load(page, '#photo-a', 'ada.jpg');
    await page.fill('#enrol-name', 'ada');
    await page.click('#enrol');
    await page.waitForFunction(() => document.getElementById('gallery-list')!.dataset.count === '1', null, { timeout: 60_000 });
    expect(await people()).toEqual(['ada — 1 face(s)']);
    // what the page wrote lives in PGlite's IndexedDB database, not in the old one
    const dbs = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
    expect(dbs).toContain('/pglite/likeness-faces');
    expect(dbs).not.toContain('likeness-gallery');

    await reload();
    expect(await people()).toEqual(['ada — 1 face(s)']);
    await load(page, '#photo-b', 'ada-small.jpg');
    const same = await identifyAnswer();
    expect(same, same.text).toEqual({ state: 'done', text: 'face 1: ada' });
    await load(page, '#photo-b', 'other.jpg');
    const other = await identifyAnswer();
    expect(other, other.text).toEqual({ state: 'done', text: 'face 1: unknown' });
    await page.screenshot({ path: join(results, 'gallery.png'), fullPage: true });

    // An old-format gallery (the page's former IndexedDB database) holding ada's stored descriptor under another
    // name: after clearing PGlite and reloading it is moved in once, and the old database is deleted.
    const adaRow = await page.evaluate(async () => {
      const g = (globalThis as unknown as { likeness: { gallery(): { backingStore: { doEntries(): Promise<{ embedding: Float32Array }[]> } } } }).likeness.gallery();
      return Array.from((await g.backingStore.doEntries())[0]!.embedding);
    });
    expect(adaRow).toHaveLength(128);
    await page.click('#gallery-clear');
    await page.waitForFunction(() => document.getElementById('gallery-list')!.dataset.count === '0', null, { timeout: 60_000 });
    await page.evaluate(
      (row) =>
        new Promise<void>((resolve, reject) => {
          const req = indexedDB.open('likeness-gallery', 1);
          req.onupgradeneeded = () => req.result.createObjectStore('people', { keyPath: 'name' });
          req.onerror = () => reject(req.error);
          req.onsuccess = () => {
            const tx = req.result.transaction('people', 'readwrite');
            tx.objectStore('people').put({ name: 'legacy-ada', embeddings: [row, row.map((x) => x + 0.01)] });
            tx.oncomplete = () => (req.result.close(), resolve());
            tx.onerror = () => reject(tx.error);
          };
        }),
      adaRow,
    );
    await reload();
    expect(await people()).toEqual(['legacy-ada — 2 face(s)']);
    expect(await page.$eval('#identify-result', (el) => el.textContent)).toBe('moved 2 face(s) from the old IndexedDB gallery');
    expect(await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name))).not.toContain('likeness-gallery');
    await reload(); // moved once, not twice
    expect(await people()).toEqual(['legacy-ada — 2 face(s)']);
    await load(page, '#photo-b', 'ada-small.jpg');
    const migrated = await identifyAnswer();
    expect(migrated, migrated.text).toEqual({ state: 'done', text: 'face 1: legacy-ada' });

    // remove: gone now and after a reload
    await page.click('#gallery-list li[data-name="legacy-ada"] button.gallery-remove');
    await page.waitForFunction(() => document.getElementById('gallery-list')!.dataset.count === '0', null, { timeout: 60_000 });
    expect(await identifyAnswer()).toEqual({ state: 'done', text: 'the gallery is empty: enrol someone first' });
    await reload();
    expect(await people()).toEqual([]);
    await page.close();
  });

  it('runs a few style-transfer iterations on wasm, updating the canvas, and cancels', async () => {
    const page = await openApp('wasm');
    await page.setInputFiles('#style-content', join(fixtures, 'ada.jpg'));
    await page.setInputFiles('#style-style', join(fixtures, 'style.png'));
    await page.$eval('#style-run', (el) => ((el as HTMLElement).dataset.size = '64'));
    await page.fill('#style-iterations', '6');
    await page.click('#style-run');
    await page.waitForFunction(() => ['done', 'error', 'cancelled'].includes(document.getElementById('style-status')!.dataset.state!), null, { timeout: 150_000 });
    const st = await page.$eval('#style-status', (el) => ({ ...(el as HTMLElement).dataset, text: el.textContent }) as Record<string, string | undefined>);
    expect(st.state, st.text ?? '').toBe('done');
    expect(Number(st.iteration)).toBe(6);
    expect(Number.isFinite(Number(st.loss))).toBe(true);
    // The result is the content's size and not blank.
    const px = await page.$eval('#style-canvas', (c) => {
      const canvas = c as HTMLCanvasElement;
      const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let min = 255, max = 0;
      for (let i = 0; i < d.length; i += 4) (min = Math.min(min, d[i]!)), (max = Math.max(max, d[i]!));
      return { w: canvas.width, h: canvas.height, range: max - min };
    });
    expect([px.w, px.h]).toEqual([64, 64]);
    expect(px.range).toBeGreaterThan(20);
    await page.screenshot({ path: join(results, 'style-transfer.png'), fullPage: true });

    // Cancel: a long run stops at the next iteration and says so.
    await page.fill('#style-iterations', '500');
    await page.click('#style-run');
    await page.waitForFunction(() => Number(document.getElementById('style-status')!.dataset.iteration) >= 1 && document.getElementById('style-status')!.dataset.state === 'running', null, { timeout: 60_000 });
    await page.click('#style-cancel');
    await page.waitForFunction(() => document.getElementById('style-status')!.dataset.state === 'cancelled', null, { timeout: 60_000 });
    expect(await page.$eval('#style-status', (el) => el.textContent)).toMatch(/cancelled after \d+ iterations/);
    await page.close();
  });
});
