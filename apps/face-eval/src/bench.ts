/**
 * `pnpm bench` (not run in CI): face descriptor ms/face on wasm at batch 1
 * and 16, ours and face-api's on the same crops in the same run (face-api in
 * a child process), plus gallery ms/query at 10k, 100k and 1M entries.
 * BENCH_THREADS=2 runs ours on threaded wasm; BENCH_GALLERY=0 skips the gallery.
 */
import '@likeness/backends/wasm';
import * as tf from '@tensorflow/tfjs-core';
import { env, useBackend } from '@likeness/backends';
import { faceApiModelDir, loadFaceResNetFromFaceApi } from '@likeness/embeddings/node';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadOrl } from './orl';
import { benchGallery } from './gallery-bench';

const reps = Number(process.env.BENCH_REPS ?? 5);

async function main(): Promise<void> {
  // BENCH_THREADS=2: ours on threaded wasm (face-api cannot use threads in Node).
  if (process.env.BENCH_THREADS) env.wasm.numThreads = Number(process.env.BENCH_THREADS);
  const backend = await useBackend('wasm');
  console.log(`backend ${backend.name}; SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT')}, threads ${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')}; ${reps} reps after 2 warm-ups; 2 shared cores, figures are noisy`);
  // 16 ORL faces, whole image padded to square and resized (face-api's own framing), 0–255 RGB
  const images = loadOrl().filter((im) => im.index === 1).slice(0, 16);
  const crops = tf.tidy(() => {
    const flat = new Float32Array(16 * 112 * 92);
    images.forEach((im, k) => flat.set(im.data, k * 112 * 92));
    const g = tf.tensor4d(flat, [16, 112, 92, 1]);
    return tf.tile(tf.image.resizeBilinear(tf.pad(g, [[0, 0], [0, 0], [10, 10], [0, 0]]), [150, 150]), [1, 1, 1, 3]) as tf.Tensor4D;
  });
  const crops255 = tf.tidy(() => tf.mul(crops, 255));
  const dir = mkdtempSync(join(tmpdir(), 'likeness-bench-'));
  const cropsFile = join(dir, 'crops.f32');
  writeFileSync(cropsFile, Buffer.from((crops255.dataSync() as Float32Array).buffer));

  const here = dirname(fileURLToPath(import.meta.url));
  type FaceApiRun = { msPerFaceBatch1: number; msPerFaceBatch16: number; simd: boolean; threads: boolean; descriptors: number[][] };
  const runFaceApi = (): FaceApiRun => {
    const out = execFileSync(process.execPath, [join(here, 'face-api-bench.cjs'), cropsFile, faceApiModelDir(), String(reps)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
    return JSON.parse(out.trim().split('\n').at(-1)!) as FaceApiRun;
  };
  // face-api before and after ours, averaged, so that load drifting on a shared machine hits both sides
  const faBefore = runFaceApi();

  const net = await loadFaceResNetFromFaceApi();
  const singles = tf.tidy(() => tf.split(crops, 16, 0) as tf.Tensor4D[]).map((t) => tf.keep(t));
  const time = async (fn: () => Promise<void>) => {
    await fn(); await fn();
    const t = performance.now();
    for (let r = 0; r < reps; r++) await fn();
    return (performance.now() - t) / reps;
  };
  const ours1 = (await time(async () => { for (const s of singles) { const d = net.encode(s); await d.data(); d.dispose(); } })) / 16;
  const ours16 = (await time(async () => { const d = net.encode(crops); await d.data(); d.dispose(); })) / 16;
  const ourDesc = net.encode(crops).arraySync();

  const faAfter = runFaceApi();
  const fa = {
    ...faAfter,
    msPerFaceBatch1: (faBefore.msPerFaceBatch1 + faAfter.msPerFaceBatch1) / 2,
    msPerFaceBatch16: (faBefore.msPerFaceBatch16 + faAfter.msPerFaceBatch16) / 2,
  };
  const maxDist = Math.max(...fa.descriptors.map((d, i) => Math.sqrt(d.reduce((a, v, k) => a + (v - ourDesc[i]![k]!) ** 2, 0))));

  console.log('\nFace descriptor (dlib ResNet, 150×150), wasm, ms/face:');
  console.log('| batch | @likeness/embeddings | face-api 1.7.15 | ratio (ours / face-api) |\n|---|---|---|---|');
  console.log(`| 1 | ${ours1.toFixed(1)} | ${fa.msPerFaceBatch1.toFixed(1)} | ${(ours1 / fa.msPerFaceBatch1).toFixed(2)} |`);
  console.log(`| 16 | ${ours16.toFixed(1)} | ${fa.msPerFaceBatch16.toFixed(1)} | ${(ours16 / fa.msPerFaceBatch16).toFixed(2)} |`);
  console.log(`face-api runs before/after ours: batch 1 ${faBefore.msPerFaceBatch1.toFixed(1)}/${faAfter.msPerFaceBatch1.toFixed(1)}, batch 16 ${faBefore.msPerFaceBatch16.toFixed(1)}/${faAfter.msPerFaceBatch16.toFixed(1)} ms/face`);
  console.log(`face-api wasm: SIMD ${fa.simd}, threads ${fa.threads}; max descriptor distance ours↔face-api on these 16 crops: ${maxDist.toExponential(2)}`);
  tf.dispose([crops, crops255, ...singles]);
  net.dispose();

  if (process.env.BENCH_GALLERY !== '0') await benchGallery();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
