/**
 * End-to-end tests of `likeness stylize` with jcjohnson/neural-style's flag
 * names: each spawns the real CLI (tsx on src/cli.ts) on tiny images generated
 * here with sharp (40×32 content, 3 iterations), on the cpu backend.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { appDir, runCli } from './run-cli';

let dir = '';

/** `likeness --backend cpu --no-progress <args>` in the test's folder (3 minutes at most: a loaded machine can take 90 s). */
const cli = (...args: string[]) => runCli(['--backend', 'cpu', '--no-progress', ...args], { cwd: dir, timeoutMs: 180_000 });

async function pixels(file: string): Promise<Float64Array> {
  const { data } = await sharp(join(dir, file)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return Float64Array.from(data);
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

/** Mean |ΔCb| + |ΔCr| (BT.601, 0–255) between two RGB images of one size. */
function chromaDistance(a: Float64Array, b: Float64Array): number {
  const cb = (r: number, g: number, bl: number) => -0.168736 * r - 0.331264 * g + 0.5 * bl;
  const cr = (r: number, g: number, bl: number) => 0.5 * r - 0.418688 * g - 0.081312 * bl;
  let sum = 0;
  for (let i = 0; i < a.length; i += 3) {
    sum += Math.abs(cb(a[i]!, a[i + 1]!, a[i + 2]!) - cb(b[i]!, b[i + 1]!, b[i + 2]!));
    sum += Math.abs(cr(a[i]!, a[i + 1]!, a[i + 2]!) - cr(b[i]!, b[i + 1]!, b[i + 2]!));
  }
  return sum / (a.length / 3);
}

async function writeRgb(file: string, w: number, h: number, f: (x: number, y: number) => [number, number, number]): Promise<void> {
  const data = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(f(x, y), (y * w + x) * 3);
  await sharp(data, { raw: { width: w, height: h, channels: 3 } }).png().toFile(join(dir, file));
}

const small = ['--image_size', '40', '--iterations', '3'];

/**
 * A generated VGG-19 in the form a user downloads: a folder with a tfjs
 * model.json (weights manifest only) and one weights file, Keras names
 * (`block{n}_conv{m}/kernel` [3,3,in,out] and `/bias`), He-normal values from a
 * seeded generator. About 80 MB (all 16 convolutions, as loadVgg requires).
 */
async function writeVgg19(folder: string): Promise<void> {
  const blocks = [2, 2, 4, 4, 4];
  const channels = [64, 128, 256, 512, 512];
  let seed = 12345;
  const uniform = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return (seed + 0.5) / 4294967296;
  };
  const specs: { name: string; shape: number[]; dtype: 'float32' }[] = [];
  const parts: Buffer[] = [];
  let cin = 3;
  blocks.forEach((n, b) => {
    for (let i = 1; i <= n; i++) {
      const cout = channels[b]!;
      const k = new Float32Array(9 * cin * cout);
      const sd = Math.sqrt(2 / (9 * cin));
      for (let j = 0; j < k.length; j++) k[j] = sd * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
      specs.push({ name: `block${b + 1}_conv${i}/kernel`, shape: [3, 3, cin, cout], dtype: 'float32' }, { name: `block${b + 1}_conv${i}/bias`, shape: [cout], dtype: 'float32' });
      parts.push(Buffer.from(k.buffer), Buffer.alloc(4 * cout));
      cin = cout;
    }
  });
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'weights.bin'), Buffer.concat(parts));
  await writeFile(join(folder, 'model.json'), JSON.stringify({ format: 'weights-only', weightsManifest: [{ paths: ['weights.bin'], weights: specs }] }));
}

beforeAll(async () => {
  if (!existsSync(resolve(appDir, '../../packages/nst/dist/index.js'))) {
    throw new Error('@likeness/nst is not built: run `pnpm build` (or `pnpm test` at the root, which builds first)');
  }
  dir = await mkdtemp(join(tmpdir(), 'likeness-stylize-'));
  // Content: a smooth green/red gradient; styles: a red/blue checkerboard and yellow stripes.
  await writeRgb('content.png', 40, 32, (x, y) => [x * 6, 200 - y * 5, 80]);
  await writeRgb('checks.png', 48, 48, (x, y) => (((x >> 2) + (y >> 2)) % 2 ? [255, 40, 40] : [20, 20, 230]));
  await writeRgb('stripes.png', 48, 48, (x) => ((x >> 1) % 2 ? [250, 230, 30] : [30, 30, 30]));
});

describe('likeness stylize (jcjohnson/neural-style flags)', () => {
  it('keeps the positional form, writes PNG or JPEG by extension, and accepts the long-form aliases', async () => {
    const a = await cli('--json', 'stylize', 'content.png', 'checks.png', '-o', 'pos.png', '--size', '40', '-i', '2');
    expect(a.code, a.stderr).toBe(0);
    expect(JSON.parse(a.stdout)).toMatchObject({ width: 40, height: 32, iterations: 2 });
    expect((await sharp(join(dir, 'pos.png')).metadata()).format).toBe('png');
    const b = await cli('stylize', '--content_image', 'content.png', '--style_image', 'checks.png', '--output_image', 'named.jpg', '--image_size', '40', '--iterations', '2');
    expect(b.code, b.stderr).toBe(0);
    const meta = await sharp(join(dir, 'named.jpg')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 40, 32]);
    // Same flags, same default seed → the same pixels (up to JPEG) as the positional form.
    expect(maxAbsDiff(await pixels('pos.png'), await pixels('named.jpg'))).toBeLessThan(40);
  });

  it('--seed changes the result of --init random, the same seed reproduces it, and --save_iter/--print_iter report', async () => {
    const run = (out: string, seed: string, ...extra: string[]) => cli('stylize', 'content.png', 'checks.png', '-o', out, ...small, '--init', 'random', '--seed', seed, ...extra);
    for (const r of await Promise.all([run('seed1.png', '1', '--save_iter', '1', '--print_iter', '1'), run('seed1b.png', '1'), run('seed2.png', '2')])) expect(r.code, r.stderr).toBe(0);
    const s1 = await pixels('seed1.png');
    expect(maxAbsDiff(s1, await pixels('seed1b.png'))).toBe(0);
    expect(maxAbsDiff(s1, await pixels('seed2.png'))).toBeGreaterThan(20);
    // Intermediates after iterations 1 and 2 (not 3: that is the output itself).
    expect([existsSync(join(dir, 'seed1_1.png')), existsSync(join(dir, 'seed1_2.png')), existsSync(join(dir, 'seed1_3.png'))]).toEqual([true, true, false]);
  });

  it('prints the loss with --print_iter, and --original_colors 1 keeps the content chroma closer than 0', async () => {
    const base = ['stylize', 'content.png', 'checks.png', ...small, '--init', 'random', '--optimizer', 'adam', '--learning_rate', '0.05', '--tv_weight', '0.5', '--content_weight', '1', '--style_weight', '1000', '--style_scale', '1'];
    const [keep, free] = await Promise.all([cli(...base, '-o', 'keep.png', '--original_colors', '1', '--print_iter', '1'), cli(...base, '-o', 'free.png', '--original_colors', '0')]);
    expect(keep.code, keep.stderr).toBe(0);
    expect(free.code, free.stderr).toBe(0);
    expect(keep.stderr.match(/Iteration \d+ \/ 3: total loss/g)).toHaveLength(3);
    const content = await pixels('content.png');
    const dKeep = chromaDistance(await pixels('keep.png'), content);
    const dFree = chromaDistance(await pixels('free.png'), content);
    // Colour preservation puts the content's Cb/Cr back (up to rounding); without it noise + style colours dominate.
    expect(dKeep).toBeLessThan(3);
    expect(dFree).toBeGreaterThan(dKeep * 3);
  });

  it('--learning_rate_warmup reaches the engine: 25 equals the default (also on 2 + 1 iterations), 0 takes full steps from the start', async () => {
    const base = ['stylize', 'content.png', 'checks.png', ...small, '--init', 'random'];
    const runs = await Promise.all([cli(...base, '-o', 'w-default.png'), cli(...base, '-o', 'w25.png', '--learning_rate_warmup', '25'), cli(...base, '-o', 'w0.png', '--learning_rate_warmup', '0')]);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const [byDefault, w25, off] = await Promise.all(['w-default.png', 'w25.png', 'w0.png'].map(pixels));
    expect(maxAbsDiff(byDefault!, w25!)).toBe(0);
    expect(maxAbsDiff(off!, w25!)).toBeGreaterThan(2);
    const help = await cli('stylize', '--help');
    expect(help.stdout).toMatch(/--learning_rate_warmup <n>/);
  });

  it('runs the measured recipe by default: 150 iterations at half size, then 50 at full size', { timeout: 120_000 }, async () => {
    const args = small.filter((a, i) => a !== '--iterations' && a !== '-i' && small[i - 1] !== '--iterations' && small[i - 1] !== '-i');
    const r = await cli('stylize', 'content.png', 'checks.png', '-o', 'default.png', ...args, '--print_iter', '50');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/Iteration (\d+) \/ 200: total loss/g)).toEqual(
      [50, 100, 150, 200].map((k) => `Iteration ${k} / 200: total loss`),
    );
  });

  it('blends two styles: weights 1,0 and 0,1 reproduce each style alone, 1,1 differs from both', async () => {
    const run = (out: string, styles: string, weights?: string) =>
      cli('stylize', '--content_image', 'content.png', '--style_image', styles, '-o', out, ...small, '--scales', '0.5,1', '--iterations', '2,1', ...(weights ? ['--style_blend_weights', weights] : []));
    const runs = await Promise.all([run('only-checks.png', 'checks.png'), run('only-stripes.png', 'stripes.png'), run('b10.png', 'checks.png,stripes.png', '1,0'), run('b01.png', 'checks.png,stripes.png', '0,1'), run('b11.png', 'checks.png,stripes.png', '1,1')]);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const [checks, stripes, b10, b01, b11] = await Promise.all(['only-checks.png', 'only-stripes.png', 'b10.png', 'b01.png', 'b11.png'].map(pixels));
    expect(maxAbsDiff(b10!, checks!)).toBeLessThanOrEqual(1);
    expect(maxAbsDiff(b01!, stripes!)).toBeLessThanOrEqual(1);
    expect(maxAbsDiff(checks!, stripes!)).toBeGreaterThan(5);
    expect(maxAbsDiff(b11!, checks!)).toBeGreaterThan(2);
    expect(maxAbsDiff(b11!, stripes!)).toBeGreaterThan(2);
  });

  it('runs L-BFGS with per-scale iterations', async () => {
    const r = await cli('--json', 'stylize', 'content.png', 'checks.png', '-o', 'lbfgs.png', '--image_size', '40', '--optimizer', 'lbfgs', '--scales', '1', '--iterations', '2');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).loss).toBeGreaterThan(0);
  });

  it('runs VGG-19 from a weights folder (--backbone vgg19 --weights), the same as --model_file … --model_type vgg19', { timeout: 180_000 }, async () => {
    await writeVgg19(join(dir, 'vgg19'));
    const flags = ['--image_size', '40', '--scales', '1', '--iterations', '1'];
    const r = await cli('--json', 'stylize', 'content.png', 'checks.png', '-o', 'vgg.png', '--backbone', 'vgg19', '--weights', 'vgg19', ...flags);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).loss).toBeGreaterThan(0);
    const out = await pixels('vgg.png');
    expect(maxAbsDiff(out, await pixels('content.png'))).toBeGreaterThan(10);
    const same = await cli('stylize', 'content.png', 'checks.png', '-o', 'vgg_file.png', '--model_file', 'vgg19/model.json', '--model_type', 'vgg19', ...flags);
    expect(same.code, same.stderr).toBe(0);
    expect(maxAbsDiff(await pixels('vgg_file.png'), out)).toBe(0);
    // Keras names read as torchvision's do not fit (exit 3, naming the flag and the folder).
    const torch = await cli('stylize', 'content.png', 'checks.png', '-o', 'bad.png', '--backbone', 'vgg19', '--weights', 'vgg19', '--model_layout', 'torchvision', ...flags);
    expect(torch.code).toBe(3);
    expect(torch.stderr).toContain('--weights vgg19');
    expect(existsSync(join(dir, 'bad.png'))).toBe(false);
  });

  it('refuses --backbone/--weights combinations that cannot work, naming the flags', async () => {
    const cases: [string[], number, RegExp][] = [
      [['--backbone', 'vgg19'], 2, /--backbone vgg19 needs --weights/],
      [['--backbone', 'resnet'], 2, /--backbone must be one of/],
      [['--backbone', 'mobilenet_v2', '--weights', 'x'], 2, /--weights is for --backbone vgg16 or vgg19/],
      [['--weights', 'x'], 2, /--weights needs --backbone vgg16 or vgg19/],
      [['--backbone', 'vgg19', '--weights', 'x', '--model_file', 'y.json'], 2, /either as --backbone/],
      [['--backbone', 'vgg19', '--weights', 'nowhere'], 3, /file not found: nowhere \(--weights/],
      [['--backbone', 'vgg19', '--weights', '.'], 3, /no model.json in \./],
    ];
    const runs = await Promise.all(cases.map(([flags]) => cli('stylize', 'content.png', 'checks.png', '-o', 'bad.png', ...flags)));
    runs.forEach((r, i) => {
      expect(r.code, cases[i]![0].join(' ')).toBe(cases[i]![1]);
      expect(r.stderr, cases[i]![0].join(' ')).toMatch(cases[i]![2]);
    });
    expect(existsSync(join(dir, 'bad.png'))).toBe(false);
  });

  it('exits 2 with a message naming the flag for every bad value, 3 for a missing model file', async () => {
    const bad: [string[], string][] = [
      [['--image_size', 'big'], '--image_size'],
      [['--size', '8'], '--image_size'],
      [['--iterations', '0'], '--iterations'],
      [['--iterations', '1,2,3'], '--iterations'],
      [['--scales', '1,0.5'], '--scales'],
      [['--optimizer', 'sgd'], '--optimizer'],
      [['--learning_rate', '-1'], '--learning_rate'],
      [['--learning_rate_warmup', '-1'], '--learning_rate_warmup'],
      [['--learning_rate_warmup', '2.5'], '--learning_rate_warmup'],
      [['--content_weight', 'x'], '--content_weight'],
      [['--style_weight', 'NaN'], '--style_weight'],
      [['--tv_weight', '-0.1'], '--tv_weight'],
      [['--init', 'zeros'], '--init'],
      [['--seed', '1.5'], '--seed'],
      [['--style_scale', '0'], '--style_scale'],
      [['--original_colors', '2'], '--original_colors'],
      [['--print_iter', '-1'], '--print_iter'],
      [['--save_iter', 'often'], '--save_iter'],
      [['--style_blend_weights', '1,1'], '--style_blend_weights'],
      [['--model', 'resnet'], '--model'],
      [['--model_type', 'vgg19'], '--model_type'],
      [['--model_file', 'vgg.json', '--model_layout', 'caffe'], '--model_layout'],
    ];
    const runs = await Promise.all(bad.map(([flags]) => cli('stylize', 'content.png', 'checks.png', '-o', 'bad.png', ...flags)));
    runs.forEach((r, i) => {
      expect(r.code, bad[i]![0].join(' ')).toBe(2);
      expect(r.stderr, bad[i]![0].join(' ')).toContain(bad[i]![1]);
    });
    expect(existsSync(join(dir, 'bad.png'))).toBe(false);
    // InceptionV3 cannot take a 40×32 image (its valid-padded reductions need ≥ 43 px): refused up front.
    const tooSmall = await cli('stylize', 'content.png', 'checks.png', '-o', 'bad.png', '--model', 'inception_v3', '--scales', '1');
    expect(tooSmall.code).toBe(2);
    expect(tooSmall.stderr).toMatch(/--model inception_v3 needs every image side ≥ 43 px.*smallest here is 32 px/);
    const missing = await cli('stylize', 'content.png', 'checks.png', '-o', 'bad.png', '--model_file', 'nowhere/model.json');
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('nowhere/model.json');
  });
});
