// Types of bench-harness.mjs, the timing harness shared by the repository's benchmarks, so that
// TypeScript benchmarks (@likeness/training's bench/step-time.ts) import it checked.
import type { NamedTensorMap, Tensor, Tensor4D } from '@tensorflow/tfjs-core';

/** Median of a list of numbers (the upper median when the count is even). */
export function median(xs: readonly number[]): number;

/** The 1-minute load average (what every table prints beside a figure). */
export function load1(): number;

/**
 * Median ms of `step()` over `n` runs, after one warm-up run unless `cold`. `step` may be async
 * and may return a tensor or an array of tensors (what `tf.grads` gives), which is read back (so
 * queued work is counted) and disposed; anything else it returns is left alone.
 */
export function timed(step: () => unknown | Promise<unknown>, n: number, cold?: boolean): Promise<number>;

/** A smooth seeded RGB image [1,h,w,3] in [0,1] (what a stylisation costs does not depend on what it shows). */
export function smoothImage(h: number, w: number, seed: number): Tensor4D;

/**
 * VGG-19 weights in keras layout, generated (He-initialised, seeded; timing only): feed to
 * `createVgg({ depth: 19, layout: 'keras', weights })`. The caller owns (and disposes) the tensors.
 */
export function generatedVgg19Weights(): NamedTensorMap;

/**
 * The environment a PyTorch reference runs in, so that it is PyTorch at its best here: `threads`
 * OpenMP and OpenBLAS threads, OpenMP's passive wait policy (unless set), OpenBLAS ahead of netlib's
 * reference BLAS (`LIKENESS_TORCH_BLAS_DIR`, else Debian's OpenBLAS directory when present) and
 * glibc's allocator keeping freed memory (`MALLOC_MMAP_MAX_`, `MALLOC_TRIM_THRESHOLD_`, unless set).
 * The measurements behind each setting are in bench-harness.mjs.
 */
export function torchEnv(threads: number): NodeJS.ProcessEnv;

/**
 * Runs a PyTorch reference script (`/usr/bin/python3 script ...args`) in {@link torchEnv}; its last
 * stdout line parsed as JSON. Throws when the script fails or PyTorch is missing.
 */
export function runTorch(script: string, args: readonly (string | number)[], threads: number): any;

/** What a PyTorch set-up script (backend-onednn's bench/torch_setup.py) reports, as one JSON line. */
export interface TorchSetup {
  /** PyTorch's version. */
  torch: string;
  /** Intra-op threads. */
  threads: number;
  /** Inter-op threads. */
  interopThreads: number;
  /** Whether PyTorch's oneDNN (mkldnn) is on. */
  mkldnn: boolean;
  /** The CPU capability PyTorch dispatches to (e.g. AVX2). */
  cpuCapability: string;
  /** The BLAS library actually loaded. */
  blas: string;
  /** How glibc's allocator is set up (freed memory kept or returned). */
  malloc: string;
  /** Anything else the script reports. */
  [key: string]: unknown;
}

/**
 * What PyTorch runs on in {@link torchEnv} (version, threads, oneDNN, CPU capability, the BLAS
 * loaded), from `torchSetup` — a script printing it as one JSON line (backend-onednn's
 * bench/torch_setup.py) — or null when PyTorch is missing.
 */
export function torchConfig(torchSetup: string, threads: number): TorchSetup | null;
