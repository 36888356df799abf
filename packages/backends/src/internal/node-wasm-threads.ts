import * as tf from '@tensorflow/tfjs-core';

/**
 * Makes tfjs-backend-wasm 4.22's threaded-SIMD binary run in Node 20 on
 * `worker_threads`, for `numThreads` threads (XNNPACK's pthreadpool). Call it
 * before the wasm backend initialises; a no-op outside Node.
 *
 * tfjs turns threads off in Node (tfjs#3830) and its Emscripten glue cannot
 * start them there as shipped; three things are patched:
 * 1. the pthread worker script is a `blob:` URL, which Node's `Worker`
 *    refuses: `globalThis.Worker` (which Emscripten's Node branch reads) gets a
 *    subclass of `worker_threads.Worker` that starts an `eval` worker reading
 *    the Blob (passed as `workerData`), defines the bundle-scoped names the
 *    factory source refers to (`require$$0`…, `commonjsGlobal`), and loads the
 *    main script — also a Blob — before handing the `load` message on. The
 *    workers stay `unref()`ed: pthreadpool threads live forever and would
 *    otherwise keep Node from exiting (the main thread waits for them
 *    synchronously, so nothing is lost).
 * 2. the `WASM_HAS_MULTITHREAD_SUPPORT` flag is set to true.
 * 3. tfjs caps the thread count at `emscripten_num_logical_cores() / 2`
 *    (`os.cpus().length / 2` in Node): `os.cpus` answers `2 × numThreads` to
 *    that one call, then is restored.
 *
 * @example
 * ```ts
 * await enableNodeWasmThreads(2); // then tf.setBackend('wasm'): conv2d [1,256,256,64]×[3,3,64,64] on 2 threads
 * ```
 */
export async function enableNodeWasmThreads(numThreads: number): Promise<boolean> {
  if (!isNode() || numThreads < 2) return false;
  // Variable specifiers: browser bundlers must not try to resolve Node built-ins.
  const load = (m: string) => import(/* @vite-ignore */ m);
  const wt = (await load('node:worker_threads')) as typeof import('node:worker_threads');
  const { resolveObjectURL } = (await load('node:buffer')) as typeof import('node:buffer');
  const os = ((await load('node:os')) as { default: typeof import('node:os') }).default;

  installWorkerShim(wt, resolveObjectURL);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);

  const realCpus = os.cpus;
  const fakeCpus = function cpus(this: unknown) {
    const list = realCpus.call(os);
    if (!/_emscripten_num_logical_cores/.test(new Error().stack ?? '')) return list;
    os.cpus = realCpus; // one call: the wasm module's static initialiser
    return Array.from({ length: 2 * numThreads }, (_, i) => list[i % Math.max(1, list.length)]!);
  };
  (os as { cpus: typeof os.cpus }).cpus = fakeCpus as typeof os.cpus;
  return true;
}

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

const SHIM = Symbol.for('likeness.wasmWorkerShim');

/** Worker bootstrap, run with `eval: true`: reads the Blob-held Emscripten worker script. */
const BOOT = `
const wt = require('worker_threads');
Object.assign(globalThis, {
  require$$0: require('fs'), require$$1: require('path'), require$$3: require('perf_hooks'),
  require$$4: require('os'), commonjsGlobal: globalThis, __filename: __filename,
});
const port = wt.parentPort;
const queue = [];
const scripts = new Map();
let handler = null;
let busy = false;
const on = port.on.bind(port);
port.on = (event, fn) => { if (event !== 'message') return on(event, fn); handler = fn; return port; };
on('message', (data) => { queue.push(data); pump(); });
async function pump() {
  if (busy || !handler) return;
  busy = true;
  try {
    while (queue.length) {
      const data = queue.shift();
      if (data && data.cmd === 'load' && data.urlOrBlob && typeof data.urlOrBlob !== 'string') {
        scripts.set('likeness:pthread-main', await data.urlOrBlob.text());
        data.urlOrBlob = 'likeness:pthread-main';
      }
      handler(data);
    }
  } finally { busy = false; }
}
wt.workerData.source.text().then((source) => {
  (0, eval)(source);
  const importScripts = globalThis.importScripts;
  globalThis.importScripts = (f) => (scripts.has(f) ? (0, eval)(scripts.get(f)) : importScripts(f));
  pump();
});
`;

function installWorkerShim(
  wt: typeof import('node:worker_threads'),
  resolveObjectURL: (id: string) => unknown,
): void {
  const g = globalThis as unknown as Record<PropertyKey, unknown>;
  if (g[SHIM]) return;
  class BlobUrlWorker extends wt.Worker {
    constructor(url: string | URL, options?: import('node:worker_threads').WorkerOptions) {
      const source = typeof url === 'string' && url.startsWith('blob:') ? resolveObjectURL(url) : undefined;
      if (!source) {
        super(url, options);
        return;
      }
      super(BOOT, { ...options, eval: true, workerData: { source } });
      this.unref();
      this.ref = () => {};
    }
  }
  g[SHIM] = true;
  // Emscripten's Node branch assigns worker_threads.Worker to the global before
  // starting its pool; keep our subclass then (it behaves the same for other
  // URLs), but let anyone else's assignment through.
  let assigned: unknown = g.Worker;
  Object.defineProperty(globalThis, 'Worker', {
    configurable: true,
    get: () => assigned ?? BlobUrlWorker,
    set: (value: unknown) => {
      if (value !== wt.Worker) assigned = value;
    },
  });
}
