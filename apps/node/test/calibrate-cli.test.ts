/**
 * `likeness calibrate`: spawns the real CLI (tsx on src/cli.ts, packages from
 * their built dist) on a labelled folder cut from face-api's demo photo
 * (three people, two photos each), checks what it stores in the gallery
 * folder, that verify -g / identify use it (and -t wins), and the bad inputs.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import '@likeness/backends/cpu';
import { useBackend } from '@likeness/backends';
import { createGallery, parseFaceCalibration } from '@likeness/embeddings';
import { pgliteGalleryStore } from '@likeness/gallery-pgvector/node';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { appDir, runCli } from './run-cli';

const require = createRequire(import.meta.url);
const demoDir = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
let dir = '';

const cli = (...args: string[]) => runCli(args, { cwd: dir, timeoutMs: 300_000 });

/** The gallery folder's stored metadata value, read back with the library. */
async function storedMetadata(folder: string, key: string): Promise<unknown> {
  const gallery = createGallery({ store: await pgliteGalleryStore({ dataDir: join(dir, folder), dimension: 128 }) });
  try {
    return await gallery.metadata.get(key);
  } finally {
    await gallery.close();
  }
}

// the three faces of sample1.jpg (boxes measured with createFaceRecognizer) with a margin
const PEOPLE = { left: { x: 383, y: 399, s: 250 }, right: { x: 1477, y: 197, s: 241 }, middle: { x: 824, y: 458, s: 227 } };

beforeAll(async () => {
  await useBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'likeness-calibrate-'));
  const src = join(demoDir, 'sample1.jpg');
  for (const [name, f] of Object.entries(PEOPLE)) {
    await mkdir(join(dir, 'people', name), { recursive: true });
    const m = Math.round(f.s * 0.5);
    const region = { left: Math.max(0, f.x - m), top: Math.max(0, f.y - m), width: f.s + 2 * m, height: f.s + 2 * m };
    await sharp(src).extract(region).jpeg({ quality: 90 }).toFile(join(dir, 'people', name, '1.jpg'));
    await sharp(src).extract(region).flop().resize(Math.round(region.width * 0.6)).jpeg({ quality: 60 }).toFile(join(dir, 'people', name, '2.jpg'));
  }
  await mkdir(join(dir, 'empty', 'nobody'), { recursive: true });
  await mkdir(join(dir, 'one', 'left'), { recursive: true });
  await sharp(join(dir, 'people/left/1.jpg')).toFile(join(dir, 'one/left/1.jpg'));
  await sharp(join(dir, 'people/left/2.jpg')).toFile(join(dir, 'one/left/2.jpg'));
}, 120_000);

describe('likeness calibrate', () => {
  it('stores the calibration for --far in the gallery; verify -g and identify use it and say so; -t wins', async () => {
    const run = await cli('--json', 'calibrate', 'people', '--far', '0.05', '--gallery', 'c.gallery');
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ photos: 6, people: 3, gallery: 'c.gallery' });
    // by hand: 3 people × 1 same-person pair; C(6, 2) − 3 = 12 different-person pairs
    expect(out.calibration.pairs).toEqual({ same: 3, different: 12 });
    expect(out.calibration.targetFar).toBe(0.05);
    const stored = parseFaceCalibration(await storedMetadata('c.gallery', 'calibration'));
    expect(stored).toEqual(out.calibration);
    expect(stored.far).toBeLessThanOrEqual(0.05); // 12 impostor pairs: FAR ≤ 5 % means none accepted
    expect(stored.tar).toBe(1); // each face and its mirrored, shrunk copy are accepted

    // The checks use 'middle' (distance ≈ 0.08), not 'left': left's pair is the largest same-person
    // distance, so the calibrated threshold is that very distance, and a recomputation (another process,
    // the gallery's float32 copy) moves it by ~1e-8 to either side.
    const v = JSON.parse((await cli('--json', 'verify', 'people/middle/1.jpg', 'people/middle/2.jpg', '--gallery', 'c.gallery')).stdout);
    expect(v).toMatchObject({ threshold: stored.threshold, thresholdSource: 'gallery', same: true });
    expect(v.distance).toBeLessThan(stored.threshold - 0.01);
    const text = await cli('verify', 'people/left/1.jpg', 'people/right/1.jpg', '-g', 'c.gallery');
    expect(text.stdout).toContain(`threshold ${stored.threshold.toFixed(3)}, calibrated in c.gallery`);
    expect(text.stdout).toContain('different people');
    const plain = JSON.parse((await cli('--json', 'verify', 'people/middle/1.jpg', 'people/middle/2.jpg')).stdout);
    expect(plain.thresholdSource).toBe('default');
    expect(plain.distance).toBeCloseTo(v.distance, 6);
    const forced = JSON.parse((await cli('--json', 'verify', 'people/middle/1.jpg', 'people/middle/2.jpg', '-g', 'c.gallery', '-t', '0.01')).stdout);
    expect(forced).toMatchObject({ threshold: 0.01, thresholdSource: 'option', same: false });

    expect((await cli('enrol', 'middle', 'people/middle/1.jpg', '-g', 'c.gallery')).code).toBe(0);
    const id = JSON.parse((await cli('--json', 'identify', 'people/middle/2.jpg', '-g', 'c.gallery')).stdout);
    expect(id).toMatchObject({ threshold: stored.threshold, thresholdSource: 'gallery' });
    expect(id.faces[0].distance).toBeLessThan(stored.threshold);
    expect(id.faces[0].name).toBe('middle');
  }, 900_000);

  it('bad input: an empty folder, one person only, a missing folder (exit 3); --far out of range (exit 2); no gallery is created', async () => {
    const empty = await cli('calibrate', 'empty', '-g', 'x.gallery');
    expect(empty.code).toBe(3);
    expect(empty.stderr).toMatch(/no photos in empty: expected one subfolder of photos per person/);
    const one = await cli('calibrate', 'one', '-g', 'x.gallery');
    expect(one.code).toBe(3);
    expect(one.stderr).toMatch(/holds one person \(left\): calibration needs photos of at least two people/);
    const missing = await cli('calibrate', 'nowhere', '-g', 'x.gallery');
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/not a folder: nowhere/);
    for (const far of ['0', '-0.1', '0.9', 'abc']) {
      const r = await cli('calibrate', 'people', '--far', far, '-g', 'x.gallery');
      expect(r.code, far).toBe(2);
      expect(r.stderr).toMatch(/--far must be a number in \(0, 0.5\]/);
    }
    const noGallery = await cli('verify', 'people/middle/1.jpg', 'people/middle/2.jpg', '-g', 'none.gallery');
    expect(noGallery.code).toBe(6);
    expect(noGallery.stderr).toMatch(/gallery not found: none.gallery/);
    expect(existsSync(join(dir, 'x.gallery'))).toBe(false);
  }, 600_000);
});
