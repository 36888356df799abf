import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OneDnnUnavailableError } from './onednn-unavailable-error';

/** A filter's values in the layouts convolutions want, kept by the addon (an opaque external value). */
export interface WeightsCache {
  /** Marks the type; there is nothing to read. */
  readonly __weightsCache: unique symbol;
}

/** What the N-API addon (`native/addon.cc`) exports. Every array is used in place. */
export interface OneDnnAddon {
  /**
   * `y = act(conv(x, w) + bias)`; `params` from `convParams()`; act: 0 none, 1 relu, 2 relu6. With a
   * `weightsCache`, w in the primitive's layout is kept there and reused while w is the same array.
   */
  conv2dForward(
    x: Float32Array,
    w: Float32Array,
    y: Float32Array,
    params: Int32Array,
    bias?: Float32Array | null,
    activation?: number,
    weightsCache?: WeightsCache | null,
  ): void;
  /** `dx` = gradient of `conv2dForward` (no bias, no activation) with respect to x; `params` from `convParams()`; `weightsCache` as for `conv2dForward`. */
  conv2dBackwardData(dy: Float32Array, w: Float32Array, dx: Float32Array, params: Int32Array, weightsCache?: WeightsCache | null): void;
  /**
   * An empty cache for one filter's values in the layouts convolutions want (blocked, not tfjs's
   * `[KH, KW, IN, OUT]`), to pass beside that filter: it fills on use and is freed with the value.
   */
  newWeightsCache(): WeightsCache;
  /** `dw` = gradient of `conv2dForward` (no bias, no activation) with respect to w; `params` from `convParams()`. */
  conv2dBackwardWeights(x: Float32Array, dy: Float32Array, dw: Float32Array, params: Int32Array): void;
  /** `params` from `poolParams()`; kind 0 max, 1 average of the in-bounds values. */
  pool2dForward(x: Float32Array, y: Float32Array, params: Int32Array, kind: 0 | 1): void;
  /** `dx`: `dy` routed to the position of each window's maximum in x; `params` from `poolParams()`. */
  maxPool2dBackward(x: Float32Array, dy: Float32Array, dx: Float32Array, params: Int32Array): void;
  /** `dx`: `dy` spread evenly over the in-bounds values of each window; `params` from `poolParams()`. */
  avgPool2dBackward(dy: Float32Array, dx: Float32Array, params: Int32Array): void;
  /** `y = f(x)`; codes in `src/kernels/elementwise-kernels.ts`. */
  eltwise(x: Float32Array, y: Float32Array, code: number, alpha: number, beta: number): void;
  /** `dx = dy · m`, m = 1 where 0 < x ≤ upper, 0 elsewhere, NaN where x is NaN (ReluGrad: upper ∞; Relu6Grad: 6). */
  activationGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, upper: number): void;
  /** `y = x > 0 ? 1 : alpha` (NaN stays NaN), as tfjs's Step. */
  step(x: Float32Array, y: Float32Array, alpha: number): void;
  /** `y = a ∘ b`, b broadcast to a's dims (same rank). Codes: 0 add, 1 sub, 2 mul, 3 div. */
  binary(a: Float32Array, b: Float32Array, y: Float32Array, code: number, dimsA: Int32Array, dimsB: Int32Array): void;
  /**
   * `y = a ∘ b` with numpy broadcasting of both operands (dims at one rank, each 1 or dimsY's). Codes: 0 add,
   * 1 sub, 2 mul, 3 div, 4 max, 5 min, 6 squared difference (y a Float32Array); 10 <, 11 ≤, 12 >, 13 ≥, 14 ==,
   * 15 ≠ (y a Uint8Array of 0/1).
   */
  broadcast2(a: Float32Array, b: Float32Array, y: Float32Array | Uint8Array, code: number, dimsA: Int32Array, dimsB: Int32Array, dimsY: Int32Array): void;
  /**
   * glibc only: large allocations from the heap rather than fresh mappings, freed memory kept for
   * reuse (mallopt M_MMAP_MAX = 0, M_TRIM_THRESHOLD = 1 GiB). Returns whether it applied.
   */
  keepFreedMemory(): boolean;
  /** `y = condition ? t : e` elementwise (one length). */
  select(condition: Uint8Array, t: Float32Array, e: Float32Array, y: Float32Array): void;
  /**
   * Reduces x over the axes where dimsY is 1. Codes: 0 sum, 1 mean (over one run of adjacent
   * axes: a native loop; otherwise oneDNN's reduction).
   */
  reduce(x: Float32Array, y: Float32Array, code: number, dimsX: Int32Array, dimsY: Int32Array): void;
  /** `y = x[begin : begin + dimsY]` (row-major, one rank; float32 or int32, y of x's type). */
  slice<T extends Float32Array | Int32Array>(x: T, y: T, dimsX: Int32Array, begin: Int32Array, dimsY: Int32Array): void;
  /** `y` filled with `value`, then x copied in at offsets `before` (row-major, one rank). */
  pad(x: Float32Array, y: Float32Array, dimsX: Int32Array, before: Int32Array, dimsY: Int32Array, value: number): void;
  /** `y = softmax(x)` over each row of x as `[rows, cols]`. */
  softmax(x: Float32Array, y: Float32Array, rows: number, cols: number): void;
  /**
   * `y = act(op(a) · op(b) + bias)` over broadcast batch axes. `dimsA`/`dimsB`: the stored shapes at one
   * rank (≥ 2, leading 1s); `act`: an eltwise code or -1; `dimsBias`: the output's rank, each 1 or the output's size.
   */
  matMul(
    a: Float32Array,
    b: Float32Array,
    y: Float32Array,
    dimsA: Int32Array,
    dimsB: Int32Array,
    transposeA: boolean,
    transposeB: boolean,
    bias: Float32Array | null,
    dimsBias: Int32Array | null,
    act: number,
    alpha: number,
    beta: number,
  ): void;
  /** The implementation oneDNN picks for a matmul of these stored shapes (e.g. `'brg:avx512_core'`). */
  matMulImplementation(dimsA: Int32Array, dimsB: Int32Array, transposeA: boolean, transposeB: boolean): string;
  /** `y = (x − mean) / √(variance + ε) · scale + offset` per channel of x's last axis (`channels` values each). */
  batchNormInference(
    x: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    scale: Float32Array | null,
    offset: Float32Array | null,
    y: Float32Array,
    channels: number,
    epsilon: number,
  ): void;
  /** The implementations oneDNN picks for a convolution: `'fwd / bwd_data / bwd_weights'`. */
  conv2dImplementation(params: Int32Array): string;
  /** The linked oneDNN: version string and numbers, CPU threading runtime (e.g. `'OMP'`) and git hash. */
  info(): {
    /** oneDNN's version, `'major.minor.patch'` (e.g. `'2.6.3'`). */
    version: string;
    /** The major version (2 or later is required). */
    major: number;
    /** The minor version. */
    minor: number;
    /** The CPU threading runtime oneDNN was built with: `'OMP'` (threads: `OMP_NUM_THREADS`), `'TBB'`, `'SEQ'`, … */
    cpuRuntime: string;
    /** The git commit oneDNN was built from. */
    hash: string;
  };
  /** How many compiled primitives (convolution, pooling, others) are cached, keyed by shape. */
  cacheSize(): number;
  /** How many times a hand-written native loop ran instead of a primitive (sums/means over adjacent axes, step). */
  nativeLoops(): number;
  /** Drops every cached primitive (they are compiled again on next use). */
  clearCache(): void;
  /** The addon's ABI version: `loadOneDnn()` refuses an addon whose version is not the one this JavaScript expects (rebuild it). */
  readonly abiVersion: number;
}

/** The addon ABI this JavaScript expects (bumped with every change to the exports). */
const ABI_VERSION = 11;
const INSTALL =
  'install oneDNN (`apt-get install libdnnl-dev` on Debian/Ubuntu, `brew install onednn` on macOS), then run ' +
  '`pnpm --filter @likeness/backend-onednn build:native` (or reinstall @likeness/backend-onednn)';

/** The package root: one level above both `src/` and `dist/`. */
function packageRoot(): string {
  const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
  return join(here, '..');
}

/** Where the addon is looked for: `LIKENESS_ONEDNN_ADDON`, else `build/Release/likeness_onednn.node`. */
export function addonPath(): string {
  return process.env.LIKENESS_ONEDNN_ADDON || join(packageRoot(), 'build', 'Release', 'likeness_onednn.node');
}

let cached: { addon?: OneDnnAddon; error?: OneDnnUnavailableError } | undefined;

/**
 * Loads the oneDNN addon once. Throws `OneDnnUnavailableError` whose one-line
 * message says what to do: wrong platform, addon not built, `libdnnl` missing,
 * or an addon built for another Node/oneDNN.
 *
 * @example
 * ```ts
 * import { loadOneDnn } from '@likeness/backend-onednn';
 * loadOneDnn().info(); // { version: '2.6.3', cpuRuntime: 'OMP', … }
 * ```
 */
export function loadOneDnn(): OneDnnAddon {
  cached ??= tryLoad();
  if (cached.error) throw cached.error;
  return cached.addon!;
}

function tryLoad(): { addon?: OneDnnAddon; error?: OneDnnUnavailableError } {
  const proc = (globalThis as { process?: { versions?: { node?: string }; platform?: string; arch?: string; env?: Record<string, string | undefined> } }).process;
  if (!proc?.versions?.node) {
    return { error: new OneDnnUnavailableError({ reason: 'platform', message: 'oneDNN backend: needs Node.js (a native addon); use wasm or webgpu in browsers.' }) };
  }
  if (!['linux', 'darwin'].includes(proc.platform ?? '') || !['x64', 'arm64'].includes(proc.arch ?? '')) {
    return {
      error: new OneDnnUnavailableError({
        reason: 'platform',
        message: `oneDNN backend: ${proc.platform}-${proc.arch} is not supported (Linux or macOS on x64/arm64 only); falling back is expected here.`,
      }),
    };
  }
  const path = addonPath();
  // OpenMP's threads spin after each oneDNN call by default, taking a core from the JS thread between
  // calls (and, on a busy machine, making every call wait for a descheduled spinner): sleep instead,
  // unless the user chose. libgomp reads this when libdnnl loads, so it must be set first.
  proc.env ??= {};
  proc.env.OMP_WAIT_POLICY ??= 'passive';
  let addon: OneDnnAddon;
  try {
    addon = createRequire(join(packageRoot(), 'package.json'))(path) as OneDnnAddon;
  } catch (cause) {
    const msg = cause instanceof Error ? cause.message.split('\n')[0]! : String(cause);
    if (/libdnnl|dnnl\.|cannot open shared object|image not found|Library not loaded/i.test(msg)) {
      return { error: new OneDnnUnavailableError({ reason: 'library-missing', cause, message: `oneDNN backend: the oneDNN library is not installed (${msg}): ${INSTALL}.` }) };
    }
    if ((cause as { code?: string }).code === 'MODULE_NOT_FOUND' || /Cannot find module|ENOENT/.test(msg)) {
      return { error: new OneDnnUnavailableError({ reason: 'not-built', cause, message: `oneDNN backend: the native addon is not built (${path} is missing): ${INSTALL}.` }) };
    }
    return {
      error: new OneDnnUnavailableError({
        reason: 'library-mismatch',
        cause,
        message: `oneDNN backend: the native addon does not load (${msg}); it was built for another Node.js or oneDNN: rebuild it with \`pnpm --filter @likeness/backend-onednn build:native\`.`,
      }),
    };
  }
  if (addon.abiVersion !== ABI_VERSION) {
    return {
      error: new OneDnnUnavailableError({
        reason: 'library-mismatch',
        message: `oneDNN backend: the native addon at ${path} has ABI ${String(addon.abiVersion)}, this JavaScript expects ${ABI_VERSION}: rebuild it with \`pnpm --filter @likeness/backend-onednn build:native\`.`,
      }),
    };
  }
  const { major, version } = addon.info();
  if (major < 2) {
    return { error: new OneDnnUnavailableError({ reason: 'library-mismatch', message: `oneDNN backend: oneDNN ${version} is too old (2.x needed): ${INSTALL}.` }) };
  }
  return { addon };
}

/** Forgets the loaded addon or the load failure (tests switch `LIKENESS_ONEDNN_ADDON`). @internal */
export function resetOneDnnLoader(): void {
  cached = undefined;
}
