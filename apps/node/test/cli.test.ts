/**
 * End-to-end tests of the `likeness` CLI: each spawns the real command (tsx on
 * src/cli.ts, packages from their built dist) on images generated here with
 * sharp or shipped by @vladmandic/face-api, and checks exit codes, messages
 * and numbers against independent computations.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { useBackend } from '@likeness/backends';
import '@likeness/backends/cpu';
import { loadGallery } from '@likeness/embeddings/node';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const appDir = resolve(__dirname, '..');
const tsx = pathToFileURL(join(dirname(require.resolve('tsx/package.json')), 'dist/loader.mjs')).href;
const demoDir = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
let dir = '';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', tsx, join(appDir, 'src/cli.ts'), ...args], { cwd: dir, timeout: 90_000 }, (error, stdout, stderr) => {
      done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** The gallery file's entries, read back with the library (identity and embedding). */
async function galleryEntries(file: string): Promise<{ identity: string; embedding: number[] }[]> {
  const gallery = await loadGallery(join(dir, file));
  try {
    const entries = await gallery.backingStore!.doEntries();
    return entries.map((e) => ({ identity: e.identity, embedding: Array.from(e.embedding) }));
  } finally {
    gallery.dispose();
  }
}

function l2(a: number[], b: number[]): number {
  return Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0));
}

beforeAll(async () => {
  for (const pkg of ['backends', 'embeddings']) {
    if (!existsSync(resolve(appDir, `../../packages/${pkg}/dist/index.js`))) {
      throw new Error(`@likeness/${pkg} is not built: run \`pnpm build\` (or \`pnpm test\` at the root, which builds first)`);
    }
  }
  await useBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'likeness-cli-'));
  // A face: the largest face of sample1 cropped with a margin; a blank image; a text file named .jpg.
  await sharp({ create: { width: 320, height: 240, channels: 3, background: '#808080' } }).png().toFile(join(dir, 'blank.png'));
  await writeFile(join(dir, 'notes.jpg'), 'this is not a JPEG');
  await sharp(join(demoDir, 'sample1.jpg')).extract({ left: 1250, top: 60, width: 480, height: 480 }).jpeg({ quality: 90 }).toFile(join(dir, 'face.jpg'));
  await sharp(join(dir, 'face.jpg')).resize(300).jpeg({ quality: 60 }).toFile(join(dir, 'face-small.jpg'));
});

describe('likeness CLI', () => {
  it('prints help with every command, and exits 2 on an unknown command', async () => {
    const help = await cli('--help');
    expect(help.code).toBe(0);
    for (const c of ['backends', 'verify', 'enrol', 'identify', 'stylize']) expect(help.stdout).toContain(c);
    const bad = await cli('frobnicate');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown command/);
  });

  it('reports the backends: wasm and cpu run in Node, webgpu does not, auto picks wasm', async () => {
    const r = await cli('backends', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { backends: { name: string; ok: boolean }[]; chosen: string };
    expect(Object.fromEntries(out.backends.map((b) => [b.name, b.ok]))).toEqual({ webgpu: false, wasm: true, cpu: true });
    expect(out.chosen).toBe('wasm');
    const gpu = await cli('--backend', 'webgpu', 'backends');
    expect(gpu.code).toBe(5);
    expect(gpu.stderr).toMatch(/webgpu cannot run here/);
  });

  it('exits 3 for a missing file or a file that is not an image, 4 when no face is found', async () => {
    const missing = await cli('verify', 'nope.jpg', 'face.jpg');
    expect([missing.code, missing.stderr.trim()]).toEqual([3, 'likeness: file not found: nope.jpg']);
    const text = await cli('verify', 'notes.jpg', 'face.jpg');
    expect(text.code).toBe(3);
    expect(text.stderr).toMatch(/not an image.*notes\.jpg/);
    const blank = await cli('verify', 'face.jpg', 'blank.png');
    expect(blank.code).toBe(4);
    expect(blank.stderr).toMatch(/no face found in blank\.png/);
  });

  it('verifies a face against a smaller re-compressed copy as the same person, the same on wasm and cpu', async () => {
    const wasm = JSON.parse((await cli('--json', '--backend', 'wasm', 'verify', 'face.jpg', 'face-small.jpg')).stdout);
    const cpu = JSON.parse((await cli('--json', '--backend', 'cpu', 'verify', 'face.jpg', 'face-small.jpg')).stdout);
    expect(wasm.same).toBe(true);
    expect(wasm.distance).toBeLessThan(0.3);
    expect(wasm.backend).toBe('wasm');
    expect(cpu.backend).toBe('cpu');
    expect(Math.abs(wasm.distance - cpu.distance)).toBeLessThan(0.02);
    const self = JSON.parse((await cli('--json', 'verify', 'face.jpg', 'face.jpg')).stdout);
    expect(self.distance).toBeLessThan(1e-3);
  });

  it('enrols into a gallery file, identifies from it, and leaves the file untouched when a photo fails', async () => {
    const enrol = await cli('--json', 'enrol', 'Ada', 'face.jpg', '--gallery', 'g.lkgl');
    expect(enrol.code, enrol.stderr).toBe(0);
    expect(JSON.parse(enrol.stdout)).toMatchObject({ name: 'Ada', added: 1, total: 1, people: 1 });
    const entries = await galleryEntries('g.lkgl');
    expect(entries.map((e) => e.identity)).toEqual(['Ada']);
    const ada = entries[0]!.embedding;
    expect(ada).toHaveLength(128);
    expect(ada.every(Number.isFinite)).toBe(true);

    const id = await cli('--json', 'identify', join(demoDir, 'sample1.jpg'), '--gallery', 'g.lkgl', '--out', 'annotated.png');
    expect(id.code, id.stderr).toBe(0);
    const res = JSON.parse(id.stdout) as { faces: { box: { x: number; y: number; width: number }; name: string | null; distance: number }[] };
    expect(res.faces).toHaveLength(3);
    // Ada was cropped from x ∈ [1250, 1730] of the full photo, shrunk to 1600 px wide (× 1600/1920).
    const named = res.faces.filter((f) => f.name === 'Ada');
    expect(named.length).toBeGreaterThanOrEqual(1);
    const nearest = res.faces.reduce((a, b) => (a.distance < b.distance ? a : b));
    expect(nearest.name).toBe('Ada');
    expect(nearest.box.x * (1920 / 1600)).toBeGreaterThan(1250);
    expect(nearest.distance).toBeLessThan(0.3);
    const meta = await sharp(join(dir, 'annotated.png')).metadata();
    expect([meta.format, meta.width]).toEqual(['png', 1600]);

    // Distances reported by identify are the L2 distance to the stored embedding (checked in plain JS).
    const verifyAgain = JSON.parse((await cli('--json', 'enrol', 'Bob', 'face-small.jpg', '--gallery', 'g2.lkgl')).stdout);
    expect(verifyAgain.added).toBe(1);
    const bob = (await galleryEntries('g2.lkgl'))[0]!.embedding;
    const v = JSON.parse((await cli('--json', 'verify', 'face.jpg', 'face-small.jpg')).stdout);
    expect(v.distance).toBeCloseTo(l2(ada, bob), 4);

    const before = await readFile(join(dir, 'g.lkgl'));
    const failed = await cli('enrol', 'Cy', 'face-small.jpg', 'blank.png', '--gallery', 'g.lkgl');
    expect(failed.code).toBe(4);
    expect(await readFile(join(dir, 'g.lkgl'))).toEqual(before);

    // A second photo of Ada is appended to her, not a new person.
    const again = await cli('--json', 'enrol', 'Ada', 'face-small.jpg', '--gallery', 'g.lkgl');
    expect(JSON.parse(again.stdout)).toMatchObject({ added: 1, total: 2, people: 1 });
    const both = await galleryEntries('g.lkgl');
    expect(both.map((e) => e.identity)).toEqual(['Ada', 'Ada']);
    expect(l2(both[1]!.embedding, bob)).toBeLessThan(1e-5);

    // Damaged (a flipped embedding byte), truncated, other-version and non-gallery files → exit 6 with the library's message, file untouched.
    const flipped = Buffer.from(before);
    flipped[flipped.length - 3]! ^= 0xff;
    const newer = Buffer.from(before);
    newer.writeUInt32LE(99, 4);
    const cases: [string, Buffer | string, RegExp][] = [
      ['flipped.lkgl', flipped, /checksum/],
      ['truncated.lkgl', before.subarray(0, before.length - 100), /truncated/],
      ['newer.lkgl', newer, /version/],
      ['notes.lkgl', '{"format": "likeness-gallery", "version": 1, "peo', /not a likeness gallery/],
    ];
    for (const [file, bytes, message] of cases) {
      await writeFile(join(dir, file), bytes);
      const copy = await readFile(join(dir, file));
      for (const args of file === 'flipped.lkgl' ? [['identify', 'face.jpg'], ['enrol', 'Dee', 'face.jpg']] : [['identify', 'face.jpg']]) {
        const r = await cli(...args, '--gallery', file);
        expect(r.code, `${args[0]} ${file}: ${r.stderr}`).toBe(6);
        expect(r.stderr).toMatch(message);
        expect(r.stderr).toContain(file);
      }
      expect(await readFile(join(dir, file))).toEqual(copy);
    }
  });
});
