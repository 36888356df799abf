/**
 * End-to-end tests of the `likeness` CLI: each spawns the real command (tsx on
 * src/cli.ts, packages from their built dist) on images generated here with
 * sharp or shipped by @vladmandic/face-api, and checks exit codes, messages
 * and numbers against independent computations.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadOneDnn } from '@likeness/backend-onednn';
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
    execFile(process.execPath, ['--import', tsx, join(appDir, 'src/cli.ts'), ...args], { cwd: dir, timeout: 180_000 }, (error, stdout, stderr) => {
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

/** Whether @likeness/backend-onednn's addon loads here (libdnnl installed and the addon built). */
function oneDnnLoads(): boolean {
  try {
    loadOneDnn();
    return true;
  } catch {
    return false;
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

  it('reports the backends: wasm and cpu run in Node, webgpu does not, auto picks onednn where oneDNN loads, else wasm', async () => {
    const r = await cli('backends', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { backends: { name: string; ok: boolean }[]; chosen: string };
    const onednn = oneDnnLoads();
    expect(Object.fromEntries(out.backends.map((b) => [b.name, b.ok]))).toEqual({ webgpu: false, onednn, wasm: true, cpu: true });
    expect(out.chosen).toBe(onednn ? 'onednn' : 'wasm');
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
    // The library's sentence is completed, not followed by a second one in parentheses.
    const flippedRun = await cli('identify', 'face.jpg', '--gallery', 'flipped.lkgl');
    expect(flippedRun.stderr.trim()).toMatch(/Restore it from a backup, or enrol into a new file$/);
    // An empty file (touch faces.lkgl) gets its own message, not "bad magic".
    await writeFile(join(dir, 'empty.lkgl'), '');
    const empty = await cli('enrol', 'Dee', 'face.jpg', '--gallery', 'empty.lkgl');
    expect([empty.code, empty.stderr.trim()]).toEqual([6, 'likeness: gallery empty.lkgl is an empty file (0 bytes), not a gallery: delete it, or enrol into a new file']);
  });

  it('warns when a face is enrolled under a second name (the same face, distance 0)', async () => {
    expect((await cli('enrol', 'obama', 'face.jpg', '-g', 'dup.lkgl')).code).toBe(0);
    const r = await cli('--json', 'enrol', 'barack', 'face.jpg', '-g', 'dup.lkgl');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: face\.jpg looks like "obama", already in the gallery \(distance 0\.000 ≤ 0\.6\); enrolled as "barack" anyway/);
    const out = JSON.parse(r.stdout) as { warnings: { photo: string; identity: string; distance: number }[]; people: number };
    expect(out.people).toBe(2);
    expect(out.warnings).toHaveLength(1);
    expect(out.warnings[0]).toMatchObject({ photo: 'face.jpg', identity: 'obama' });
    expect(out.warnings[0]!.distance).toBeLessThan(1e-4);
    // The same name again: no warning.
    const same = await cli('enrol', 'barack', 'face-small.jpg', '-g', 'dup-one.lkgl');
    const again = await cli('enrol', 'barack', 'face.jpg', '-g', 'dup-one.lkgl');
    expect([same.code, again.code]).toEqual([0, 0]);
    expect(again.stderr).not.toMatch(/warning/);
  });
});

describe('likeness CLI: output paths, exit codes, --json errors', () => {
  it('refuses an output it cannot write before any work: one line, exit 7 (2 for the extension), nothing else written', async () => {
    await writeFile(join(dir, 'a-file'), 'x');
    const t0 = Date.now();
    const under = await cli('identify', 'face.jpg', '-g', 'never.lkgl', '-o', 'a-file/out.png');
    expect(under.code).toBe(7);
    expect(under.stderr.trim().split('\n')).toEqual([`likeness: -o/--out a-file/out.png: ${join(dir, 'a-file')} is a file, not a folder: choose another place for the output`]);
    const gif = await cli('identify', join(demoDir, 'sample1.jpg'), '-g', 'g.lkgl', '-o', 'out.gif');
    expect(gif.code).toBe(2);
    expect(gif.stdout).toBe(''); // no face was reported: it stopped before detection
    expect(gif.stderr).toMatch(/-o\/--out out\.gif: unsupported extension "\.gif"; use \.png, \.jpg, \.jpeg or \.webp/);
    const folder = await cli('stylize', 'face.jpg', 'face.jpg', '-o', '.', '--backend', 'cpu');
    expect(folder.code).toBe(2); // "." has no image extension
    const gallery = await cli('enrol', 'Eve', 'face.jpg', '-g', 'a-file/faces.lkgl');
    expect(gallery.code).toBe(7);
    expect(gallery.stderr).toMatch(/-g\/--gallery a-file\/faces\.lkgl: .* is a file, not a folder/);
    const style = await cli('--backend', 'cpu', 'stylize', 'face.jpg', 'face.jpg', '-o', 'a-file/s.png', '-i', '2', '-s', '32');
    expect(style.code).toBe(7);
    expect(style.stderr).not.toMatch(/at |Error/); // no stack trace
    // None of them got to load a model (each would take seconds): all five in well under the time of one face command.
    expect(Date.now() - t0).toBeLessThan(60_000);
    // A missing folder is fine: it is created.
    const made = await cli('identify', 'face.jpg', '-g', 'g.lkgl', '-o', 'new/sub/out.jpg');
    expect(made.code, made.stderr).toBe(0);
    expect((await sharp(join(dir, 'new/sub/out.jpg')).metadata()).format).toBe('jpeg');
  });

  it('reports errors as one JSON object on stdout with --json, with the exit code', async () => {
    const missing = await cli('--json', 'verify', 'nope.jpg', 'face.jpg');
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.stdout)).toEqual({ error: { code: 3, message: 'file not found: nope.jpg' } });
    const usage = await cli('--json', 'verify', 'only-one.jpg');
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stdout)).toMatchObject({ error: { code: 2, message: expect.stringMatching(/missing required argument/) } });
    const noFace = await cli('--json', 'verify', 'face.jpg', 'blank.png');
    expect([noFace.code, JSON.parse(noFace.stdout).error.code]).toEqual([4, 4]);
  });

  it('reports an image over the pixel limit as too large, not as a damaged file', async () => {
    // A real PNG whose header says 20000×20000 (400 megapixels): sharp refuses it from the header.
    const png = Buffer.from(await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } }).png().toBuffer());
    png.writeUInt32BE(20000, 16);
    png.writeUInt32BE(20000, 20);
    png.writeUInt32BE(crc32(png.subarray(12, 29)), 29); // IHDR's CRC over type + data
    await writeFile(join(dir, 'huge.png'), png);
    const r = await cli('verify', 'huge.png', 'face.jpg');
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe('likeness: image too large: huge.png is 20000×20000 = 400 megapixels, over the limit of 268 megapixels (16383×16383): shrink it first');
  });

  it('exits 130 on Ctrl-C during stylize, without writing the output, and says so (as JSON too)', async () => {
    const child = execFile(
      process.execPath,
      ['--import', tsx, join(appDir, 'src/cli.ts'), '--json', '--backend', 'cpu', 'stylize', 'face.jpg', 'face.jpg', '-o', 'cancelled.png', '-s', '48', '-i', '5000', '--print_iter', '1'],
      { cwd: dir, timeout: 90_000 },
    );
    let out = '';
    let err = '';
    let sent = false;
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('Iteration 2 /') && !sent) sent = child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((ok) => child.once('exit', (c) => ok(c)));
    expect(code).toBe(130);
    expect(err).toMatch(/likeness: cancelled \(Ctrl-C\); output not written/);
    expect(JSON.parse(out)).toEqual({ error: { code: 130, message: 'cancelled (Ctrl-C); output not written' } });
    expect((await readdir(dir)).filter((f) => f.startsWith('cancelled'))).toEqual([]);
  });
});
