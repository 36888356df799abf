/**
 * End-to-end tests of the `likeness` CLI: each spawns the real command (tsx on
 * src/cli.ts, packages from their built dist) on images generated here with
 * sharp or shipped by @vladmandic/face-api, and checks exit codes, messages
 * and numbers against independent computations.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { useBackend } from '@likeness/backends';
import '@likeness/backends/cpu';
import { createGallery, DEFAULT_FACE_CALIBRATION } from '@likeness/embeddings';
import { DEFAULT_MAX_DECODE_PIXELS, saveGallery } from '@likeness/embeddings/node';
import { pgliteGalleryStore } from '@likeness/gallery-pgvector/node';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { appDir, oneDnnLoads, runCli, tsxLoader } from './run-cli';

const require = createRequire(import.meta.url);
const demoDir = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
let dir = '';

const cli = (...args: string[]) => runCli(args, { cwd: dir, timeoutMs: 180_000 });

/** A gallery folder's entries, read back with the library (identity and embedding), in enrolment order. */
async function galleryEntries(folder: string): Promise<{ identity: string; embedding: number[] }[]> {
  const gallery = createGallery({ store: await pgliteGalleryStore({ dataDir: join(dir, folder), dimension: 128 }) });
  try {
    const entries = await gallery.backingStore!.doEntries();
    return entries.map((e) => ({ identity: e.identity, embedding: Array.from(e.embedding) }));
  } finally {
    await gallery.close();
  }
}

function l2(a: number[], b: number[]): number {
  return Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0));
}

beforeAll(async () => {
  for (const pkg of ['backends', 'embeddings', 'gallery-pgvector']) {
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
    for (const c of ['backends', 'verify', 'enrol', 'identify', 'gallery', 'stylize']) expect(help.stdout).toContain(c);
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

  it('enrols into a gallery folder, identifies from it, and leaves it untouched when a photo fails', async () => {
    const enrol = await cli('--json', 'enrol', 'Ada', 'face.jpg', '--gallery', 'g.gallery');
    expect(enrol.code, enrol.stderr).toBe(0);
    expect(JSON.parse(enrol.stdout)).toMatchObject({ name: 'Ada', added: 1, total: 1, people: 1 });
    expect(existsSync(join(dir, 'g.gallery/PG_VERSION'))).toBe(true); // a PGlite database
    const entries = await galleryEntries('g.gallery');
    expect(entries.map((e) => e.identity)).toEqual(['Ada']);
    const ada = entries[0]!.embedding;
    expect(ada).toHaveLength(128);
    expect(ada.every(Number.isFinite)).toBe(true);

    const id = await cli('--json', 'identify', join(demoDir, 'sample1.jpg'), '--gallery', 'g.gallery', '--out', 'annotated.png');
    expect(id.code, id.stderr).toBe(0);
    const res = JSON.parse(id.stdout) as { threshold: number; faces: { box: { x: number; y: number; width: number }; name: string | null; distance: number }[] };
    expect(res.faces).toHaveLength(3);
    // Ada was cropped from x ∈ [1250, 1730] of the 1920 px photo; boxes are in the photo's own pixels.
    const named = res.faces.filter((f) => f.name === 'Ada');
    expect(named.length).toBeGreaterThanOrEqual(1);
    const nearest = res.faces.reduce((a, b) => (a.distance < b.distance ? a : b));
    expect(nearest.name).toBe('Ada');
    expect(nearest.box.x).toBeGreaterThan(1250);
    expect(nearest.box.x + nearest.box.width).toBeLessThan(1730);
    expect(nearest.distance).toBeLessThan(0.3);
    // Everyone else is farther than the threshold the JSON reports (the library's default), so unknown.
    expect(res.threshold).toBe(DEFAULT_FACE_CALIBRATION.threshold);
    for (const f of res.faces) expect(f.name).toBe(f.distance <= res.threshold ? 'Ada' : null);
    // The annotated copy is shrunk to 1600 px on its longer side.
    const meta = await sharp(join(dir, 'annotated.png')).metadata();
    expect([meta.format, meta.width]).toEqual(['png', 1600]);

    // Distances reported by verify are the L2 distance between the stored embeddings (checked in plain JS).
    const verifyAgain = JSON.parse((await cli('--json', 'enrol', 'Bob', 'face-small.jpg', '--gallery', 'g2.gallery')).stdout);
    expect(verifyAgain.added).toBe(1);
    const bob = (await galleryEntries('g2.gallery'))[0]!.embedding;
    const v = JSON.parse((await cli('--json', 'verify', 'face.jpg', 'face-small.jpg')).stdout);
    expect(v.distance).toBeCloseTo(l2(ada, bob), 4);

    const failed = await cli('enrol', 'Cy', 'face-small.jpg', 'blank.png', '--gallery', 'g.gallery');
    expect(failed.code).toBe(4);
    expect(await galleryEntries('g.gallery')).toEqual(entries);

    // A second photo of Ada is appended to her, not a new person.
    const again = await cli('--json', 'enrol', 'Ada', 'face-small.jpg', '--gallery', 'g.gallery');
    expect(JSON.parse(again.stdout)).toMatchObject({ added: 1, total: 2, people: 1 });
    const both = await galleryEntries('g.gallery');
    expect(both.map((e) => e.identity)).toEqual(['Ada', 'Ada']);
    expect(both.some((e) => l2(e.embedding, bob) < 1e-5)).toBe(true);

    // A folder that holds something else is refused and left alone.
    await mkdir(join(dir, 'photos.gallery'));
    await writeFile(join(dir, 'photos.gallery/holiday.txt'), 'mine');
    const foreign = await cli('enrol', 'Dee', 'face.jpg', '--gallery', 'photos.gallery');
    expect(foreign.code, foreign.stderr).toBe(6);
    expect(foreign.stderr).toMatch(/gallery photos\.gallery cannot be used: .*not a PGlite database/);
    expect(await readdir(join(dir, 'photos.gallery'))).toEqual(['holiday.txt']);
  });

  it('reads .lkgl gallery files (read-only), imports them into a folder, and refuses damaged ones with the library’s message', async () => {
    // A .lkgl file as earlier versions wrote it: Ada's entry from the folder, saved with the library.
    const ada = await galleryEntries('g.gallery');
    const old = createGallery({ metric: 'l2', dimension: 128 });
    await old.enrol('Ada', ada.map((e) => Float32Array.from(e.embedding)));
    await saveGallery(old, join(dir, 'old.lkgl'));
    old.dispose();
    const before = await readFile(join(dir, 'old.lkgl'));

    // identify reads it as before; enrol refuses it and says how to import it; the file is untouched.
    const id = await cli('--json', 'identify', 'face.jpg', '--gallery', 'old.lkgl');
    expect(id.code, id.stderr).toBe(0);
    expect(JSON.parse(id.stdout).faces.map((f: { name: string }) => f.name)).toEqual(['Ada']);
    const enrol = await cli('enrol', 'Dee', 'face.jpg', '--gallery', 'old.lkgl');
    expect([enrol.code, enrol.stderr.trim()]).toEqual([
      6,
      'likeness: old.lkgl is a gallery file, which likeness only reads now; galleries are folders: run `likeness gallery import old.lkgl -g old.gallery` once, then use -g old.gallery',
    ]);
    // A new path ending in .lkgl is not created either.
    expect((await cli('enrol', 'Dee', 'face.jpg', '--gallery', 'new.lkgl')).code).toBe(6);
    expect(existsSync(join(dir, 'new.lkgl'))).toBe(false);

    // gallery import: every entry (ids kept), twice = the same entries, not twice as many; list shows them.
    const imp = await cli('--json', 'gallery', 'import', 'old.lkgl', '-g', 'old.gallery');
    expect(imp.code, imp.stderr).toBe(0);
    expect(JSON.parse(imp.stdout)).toMatchObject({ imported: 2, importedPeople: 1, total: 2, people: 1 });
    expect((await cli('gallery', 'import', 'old.lkgl', '-g', 'old.gallery')).code).toBe(0);
    const imported = await galleryEntries('old.gallery');
    const byFirst = (xs: { embedding: number[] }[]) => xs.map((e) => e.embedding).sort((p, q) => p[0]! - q[0]!);
    expect(byFirst(imported)).toEqual(byFirst(ada)); // the store lists entries by id, not in enrolment order
    const list = await cli('--json', 'gallery', 'list', '-g', 'old.gallery');
    expect(JSON.parse(list.stdout)).toEqual({ gallery: 'old.gallery', kind: 'folder', people: [{ name: 'Ada', faces: 2 }] });
    // ...and the folder now takes enrolments.
    expect((await cli('enrol', 'Dee', 'face-small.jpg', '--gallery', 'old.gallery')).code).toBe(0);
    expect(await readFile(join(dir, 'old.lkgl'))).toEqual(before);

    // Damaged (a flipped embedding byte), truncated, other-version and non-gallery files → exit 6 with the library's message, file untouched, no folder made.
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
      for (const args of file === 'flipped.lkgl' ? [['identify', 'face.jpg'], ['gallery', 'import', file]] : [['identify', 'face.jpg']]) {
        const r = await cli(...args, '--gallery', args[0] === 'gallery' ? 'flipped.gallery' : file);
        expect(r.code, `${args.join(' ')} ${file}: ${r.stderr}`).toBe(6);
        expect(r.stderr).toMatch(message);
        expect(r.stderr).toContain(file);
      }
      expect(await readFile(join(dir, file))).toEqual(copy);
    }
    expect(existsSync(join(dir, 'flipped.gallery'))).toBe(false);
    // The library's sentence is completed, not followed by a second one in parentheses.
    const flippedRun = await cli('identify', 'face.jpg', '--gallery', 'flipped.lkgl');
    expect(flippedRun.stderr.trim()).toMatch(/Restore it from a backup, or enrol into a gallery folder$/);
    // An empty file (touch faces.lkgl) gets its own message, not "bad magic".
    await writeFile(join(dir, 'empty.lkgl'), '');
    const empty = await cli('identify', 'face.jpg', '--gallery', 'empty.lkgl');
    expect([empty.code, empty.stderr.trim()]).toEqual([6, 'likeness: gallery empty.lkgl is an empty file (0 bytes), not a gallery: delete it, or enrol into a gallery folder']);
  });

  it('warns when a face is enrolled under a second name (the same face, distance 0)', async () => {
    expect((await cli('enrol', 'obama', 'face.jpg', '-g', 'dup.gallery')).code).toBe(0);
    const r = await cli('--json', 'enrol', 'barack', 'face.jpg', '-g', 'dup.gallery');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`warning: face.jpg looks like "obama", already in the gallery (distance 0.000 ≤ ${DEFAULT_FACE_CALIBRATION.threshold.toFixed(3)}); enrolled as "barack" anyway`);
    const out = JSON.parse(r.stdout) as { warnings: { photo: string; identity: string; distance: number }[]; people: number };
    expect(out.people).toBe(2);
    expect(out.warnings).toHaveLength(1);
    expect(out.warnings[0]).toMatchObject({ photo: 'face.jpg', identity: 'obama' });
    expect(out.warnings[0]!.distance).toBeLessThan(1e-4);
    // The same name again: no warning.
    const same = await cli('enrol', 'barack', 'face-small.jpg', '-g', 'dup-one.gallery');
    const again = await cli('enrol', 'barack', 'face.jpg', '-g', 'dup-one.gallery');
    expect([same.code, again.code]).toEqual([0, 0]);
    expect(again.stderr).not.toMatch(/warning/);
  });
});

describe('likeness CLI: output paths, exit codes, --json errors', () => {
  it('refuses an output it cannot write before any work: one line, exit 7 (2 for the extension), nothing else written', async () => {
    await writeFile(join(dir, 'a-file'), 'x');
    const t0 = Date.now();
    const under = await cli('identify', 'face.jpg', '-g', 'never.gallery', '-o', 'a-file/out.png');
    expect(under.code).toBe(7);
    expect(under.stderr.trim().split('\n')).toEqual([`likeness: -o/--out a-file/out.png: ${join(dir, 'a-file')} is a file, not a folder: choose another place for the output`]);
    const gif = await cli('identify', join(demoDir, 'sample1.jpg'), '-g', 'g.gallery', '-o', 'out.gif');
    expect(gif.code).toBe(2);
    expect(gif.stdout).toBe(''); // no face was reported: it stopped before detection
    expect(gif.stderr).toMatch(/-o\/--out out\.gif: unsupported extension "\.gif"; use \.png, \.jpg, \.jpeg or \.webp/);
    const folder = await cli('stylize', 'face.jpg', 'face.jpg', '-o', '.', '--backend', 'cpu');
    expect(folder.code).toBe(2); // "." has no image extension
    const gallery = await cli('enrol', 'Eve', 'face.jpg', '-g', 'a-file/faces.gallery');
    expect(gallery.code).toBe(7);
    expect(gallery.stderr).toMatch(/-g\/--gallery a-file\/faces\.gallery: .* is a file, not a folder/);
    const style = await cli('--backend', 'cpu', 'stylize', 'face.jpg', 'face.jpg', '-o', 'a-file/s.png', '-i', '2', '-s', '32');
    expect(style.code).toBe(7);
    expect(style.stderr).not.toMatch(/at |Error/); // no stack trace
    // None of them got to load a model (each would take seconds): all five in well under the time of one face command.
    expect(Date.now() - t0).toBeLessThan(60_000);
    // A missing folder is fine: it is created.
    const made = await cli('identify', 'face.jpg', '-g', 'g.gallery', '-o', 'new/sub/out.jpg');
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
    // The limit is @likeness/embeddings' decoding budget, refused from the header before any decode.
    expect(DEFAULT_MAX_DECODE_PIXELS).toBe(50_000_000);
    expect(r.stderr.trim()).toBe('likeness: image too large: huge.png is 20000×20000 = 400 megapixels, over the limit of 50 megapixels: shrink it first');
  });

  it('exits 130 on Ctrl-C during stylize, without writing the output, and says so (as JSON too)', async () => {
    const child = execFile(
      process.execPath,
      ['--import', tsxLoader, join(appDir, 'src/cli.ts'), '--json', '--backend', 'cpu', 'stylize', 'face.jpg', 'face.jpg', '-o', 'cancelled.png', '-s', '48', '-i', '5000', '--print_iter', '1'],
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
