// The timing harness shared by the repository's benchmarks (@likeness/nst's scripts/bench*.mjs,
// @likeness/backends' bench/bench.mjs, @likeness/backend-onednn's bench/*.mjs and
// @likeness/training's bench/step-time.ts): timing, the generated inputs, and how a PyTorch
// reference script is run so that its figures are PyTorch at its best on this machine.
// Its types, with their documentation, are in bench-harness.d.mts beside it.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';

/** Median of a list of numbers. */
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The 1-minute load average (what every table prints beside a figure). */
export const load1 = () => loadavg()[0];

/**
 * Median ms of `step()` over `n` runs, after one warm-up run unless `cold`. `step` may be async
 * and may return a tensor or an array of tensors (what tf.grads gives), which is read back (so
 * queued work is counted) and disposed; anything else it returns is left alone.
 */
export async function timed(step, n, cold = false) {
  const once = async () => {
    const t0 = performance.now();
    const out = await step();
    const tensors = out instanceof tf.Tensor ? [out] : Array.isArray(out) && out.length > 0 && out.every((t) => t instanceof tf.Tensor) ? out : [];
    await Promise.all(tensors.map((t) => t.data()));
    tf.dispose(tensors);
    return performance.now() - t0;
  };
  if (!cold) await once();
  const times = [];
  for (let i = 0; i < n; i++) times.push(await once());
  return median(times);
}

/** A smooth seeded RGB image [1,h,w,3] in [0,1] (what a stylisation costs does not depend on what it shows). */
export function smoothImage(h, w, seed) {
  return tf.tidy(() => tf.clipByValue(tf.image.resizeBilinear(tf.randomUniform([1, Math.ceil(h / 16), Math.ceil(w / 16), 3], 0, 1, 'float32', seed), [h, w]), 0, 1));
}

/** VGG-19 weights in keras layout, generated (He-initialised, seeded; timing only): feed to createVgg({ depth: 19, layout: 'keras', weights }). */
export function generatedVgg19Weights() {
  const w = {};
  let cin = 3;
  let seed = 1;
  [2, 2, 4, 4, 4].forEach((n, b) => {
    for (let i = 1; i <= n; i++) {
      const cout = [64, 128, 256, 512, 512][b];
      w[`block${b + 1}_conv${i}/kernel`] = tf.randomNormal([3, 3, cin, cout], 0, Math.sqrt(2 / (9 * cin)), 'float32', seed++);
      w[`block${b + 1}_conv${i}/bias`] = tf.zeros([cout]);
      cin = cout;
    }
  });
  return w;
}

// Where Debian's OpenBLAS puts its libblas.so.3 (package libopenblas0-pthread).
const DEBIAN_OPENBLAS = '/usr/lib/x86_64-linux-gnu/openblas-pthread';

/**
 * The environment a PyTorch reference runs in, so that it is PyTorch at its best here:
 * - `threads` OpenMP threads, and OpenMP's passive wait policy (unless set): with GOMP's default
 *   (spinning after every parallel region) a descheduled spinner on a shared machine stalls every
 *   op — one face ResNet fine-tuning epoch took 24.3 s spinning and 2.4 s passive at load 5
 *   (2026-12-04). Our oneDNN plugin sets the same policy for itself.
 * - OpenBLAS ahead of netlib's reference BLAS: Debian's python3-torch links libblas.so.3, which is
 *   the unoptimised reference BLAS unless OpenBLAS is installed; PyTorch's matrix products and the
 *   convolutions it sends to im2col + GEMM run on it. `LIKENESS_TORCH_BLAS_DIR` names a directory
 *   holding OpenBLAS's libblas.so.3; otherwise Debian's OpenBLAS directory is used when present.
 * - glibc's allocator keeping freed memory (unless set): the same setting our oneDNN plugin gives
 *   itself (`mallopt` M_MMAP_MAX = 0, M_TRIM_THRESHOLD = 1 GiB), here through glibc's
 *   `MALLOC_MMAP_MAX_` / `MALLOC_TRIM_THRESHOLD_`. Without it every large tensor PyTorch allocates is
 *   a fresh mmap whose first touch faults page by page (≈ 35 µs a page on this virtual machine):
 *   the conv2d [1,256,256,64]×[3,3,64,64] forward took 141–183 ms without it and 16–32 ms with it
 *   (2026-12-04, load ≈ 3.5), so every ratio against a PyTorch run without it flattered ours.
 */
export function torchEnv(threads) {
  const env = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) };
  env.OMP_WAIT_POLICY ??= 'passive';
  env.MALLOC_MMAP_MAX_ ??= '0';
  env.MALLOC_TRIM_THRESHOLD_ ??= String(1 << 30);
  const blasDir = process.env.LIKENESS_TORCH_BLAS_DIR ?? (existsSync(`${DEBIAN_OPENBLAS}/libblas.so.3`) ? DEBIAN_OPENBLAS : undefined);
  if (blasDir) env.LD_LIBRARY_PATH = [blasDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  return env;
}

/** Runs a PyTorch reference script (`/usr/bin/python3 script ...args`) in {@link torchEnv}; its last stdout line parsed as JSON. */
export function runTorch(script, args, threads) {
  const out = execFileSync('/usr/bin/python3', [script, ...args.map(String)], { encoding: 'utf8', env: torchEnv(threads), stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out.trim().split('\n').at(-1));
}

/**
 * What PyTorch runs on in {@link torchEnv} (version, threads, oneDNN, CPU capability, the BLAS
 * loaded), from `torchSetup` — a script printing it as one JSON line (backend-onednn's
 * bench/torch_setup.py) — or null when PyTorch is missing.
 */
export function torchConfig(torchSetup, threads) {
  try {
    return runTorch(torchSetup, [threads], threads);
  } catch {
    return null;
  }
}
