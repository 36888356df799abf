import { InvalidArgumentError, WorkerThreadError } from '@likeness/backends';
import { heapPush, scanJs, scanRange, type Scan, type ScanWorkspace } from './exact-index-scan';

/** What the caller of a failed search is told to do (the index itself is intact). */
const WHAT_TO_DO =
  'the search was abandoned; the index and its rows are intact. Call searchAsync again (it starts new worker threads), ' +
  'or use search() on the calling thread (or threads: 1) if it keeps failing.';

/** @internal What each worker thread is started with. */
export interface ExactIndexWorkerData {
  /** The shared-memory kernel, compiled (posting it shares the compiled, tiered-up code). */
  readonly kernel: WebAssembly.Module;
  /** The index's shared memory: every worker's workspace and the one copy of the row records. */
  readonly memory: WebAssembly.Memory;
  /** Byte offset of this worker's workspace, and the workspace's parts relative to it. */
  readonly wsBase: number;
  readonly qcOff: number;
  readonly cntOff: number;
  readonly outOff: number;
  readonly recOff: number;
  readonly stride: number;
  readonly dp: number;
  readonly blockSize: number;
}

/** @internal One worker's share of a query group: rows [r0, r1). */
export interface ExactIndexScanTask {
  readonly r0: number;
  readonly r1: number;
  readonly g: number;
  readonly kk: number;
  readonly q16: Int16Array;
  readonly cq: Float64Array;
  readonly wq1: Float64Array;
  readonly wq2: Float64Array;
  readonly wq0: Float64Array;
}

/** @internal A worker's answer: per query its candidate rows, their lower bounds, and its k smallest upper bounds. */
export interface ExactIndexScanReply {
  readonly rows: Int32Array[];
  readonly lbs: Float64Array[];
  readonly ubs: Float64Array[];
}

interface WorkerPort {
  on(event: 'message', listener: (message: unknown) => void): void;
  postMessage(message: unknown, transfer?: readonly ArrayBuffer[]): void;
}

/** The body of each worker thread (serialised into its source: it references only its parameters and globals). */
function workerMain(port: WorkerPort, data: ExactIndexWorkerData, scanRows: typeof scanRange): void {
  const instance = new WebAssembly.Instance(data.kernel, { env: { memory: data.memory } });
  const kernel = instance.exports.scan as Scan;
  const groupMax = 16;
  port.on('message', (message) => {
    const m = message as ExactIndexScanTask & { id: number };
    try {
      const buf = data.memory.buffer; // again each time: the memory may have grown
      const b = data.wsBase;
      const ws: ScanWorkspace = {
        qOff: b, qcOff: b + data.qcOff, cntOff: b + data.cntOff, outOff: b + data.outOff,
        q16: new Int16Array(buf, b, groupMax * data.dp),
        qc: new Float64Array(buf, b + data.qcOff, groupMax * 5),
        cnt: new Int32Array(buf, b + data.cntOff, groupMax),
        out: new Int32Array(buf, b + data.outOff, groupMax * data.blockSize * 2),
      };
      ws.q16.set(m.q16);
      const bytes = Math.floor((buf.byteLength - data.recOff) / data.stride) * data.stride;
      const i8 = new Int8Array(buf, data.recOff, bytes);
      const f64 = new Float64Array(buf, data.recOff, bytes / 8);
      const res = scanRows(kernel, i8, f64, data.recOff, data.stride, data.dp, ws, m.r0, m.r1, data.blockSize, m.g, m.kk, m.cq, m.wq1, m.wq2, m.wq0);
      const rows: Int32Array[] = [], lbs: Float64Array[] = [], transfer: ArrayBuffer[] = [];
      for (let q = 0; q < m.g; q++) {
        const c = res.candidates[q]!;
        rows.push(c.rows.slice(0, c.n));
        lbs.push(c.lbs.slice(0, c.n));
        transfer.push(rows[q]!.buffer as ArrayBuffer, lbs[q]!.buffer as ArrayBuffer, res.upperBounds[q]!.buffer as ArrayBuffer);
      }
      port.postMessage({ id: m.id, rows, lbs, ubs: res.upperBounds }, transfer);
    } catch (e) {
      port.postMessage({ id: m.id, error: e instanceof Error ? e.stack ?? e.message : String(e) });
    }
  });
}

/** The source of a worker thread: the scan functions and {@link workerMain}, as text. */
function workerSource(): string {
  return [
    "'use strict';",
    "const { parentPort, workerData } = require('node:worker_threads');",
    heapPush.toString(),
    scanJs.toString(),
    scanRange.toString(),
    `(${workerMain.toString()})(parentPort, workerData, ${scanRange.name});`,
  ].join('\n');
}

interface NodeWorker {
  on(event: 'message', listener: (message: { id: number; error?: string } & Partial<ExactIndexScanReply>) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  on(event: 'exit', listener: (code: number) => void): void;
  postMessage(message: unknown, transfer?: readonly ArrayBuffer[]): void;
  ref(): void;
  unref(): void;
  terminate(): Promise<number>;
}

interface WorkerThreadsModule {
  Worker: new (source: string, options: { eval: true; workerData: unknown; name?: string }) => NodeWorker;
}

/** Node's `worker_threads` (Node ≥ 20.16, through `process.getBuiltinModule`), or null elsewhere (browsers). */
function workerThreads(): WorkerThreadsModule | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    const wt = proc?.getBuiltinModule?.('node:worker_threads') as WorkerThreadsModule | undefined;
    return wt && typeof wt.Worker === 'function' ? wt : null;
  } catch {
    return null;
  }
}

let sharedMemoryOk: boolean | undefined;

/**
 * @internal Whether this runtime can run ExactIndex's coarse pass on worker
 * threads: Node's `worker_threads` and shared WebAssembly memory.
 */
export function exactIndexCanUseThreads(): boolean {
  if (sharedMemoryOk === undefined) {
    try {
      sharedMemoryOk = workerThreads() !== null && new WebAssembly.Memory({ initial: 0, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
    } catch {
      sharedMemoryOk = false;
    }
  }
  return sharedMemoryOk;
}

/** @internal The default thread count: min(2, available parallelism) where threads work, else 1. */
export function defaultExactIndexThreads(): number {
  if (!exactIndexCanUseThreads()) return 1;
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const os = proc?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number; cpus: () => unknown[] } | undefined;
  const cores = os ? (os.availableParallelism?.() ?? os.cpus().length) : 1;
  return Math.max(1, Math.min(2, cores));
}

/**
 * @internal The worker threads of one threaded ExactIndex. Each worker scans
 * the row range it is given from the index's shared memory (no copy of the
 * rows) with its own workspace. Idle workers are unreferenced, so they never
 * keep a Node process alive; {@link ExactIndexWorkers.terminate} stops them.
 */
export class ExactIndexWorkers {
  private readonly workers: NodeWorker[] = [];
  private readonly pending = new Map<number, { resolve: (r: ExactIndexScanReply) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private broken: Error | null = null;
  private readonly fn: string;

  /**
   * @param fn - The public method the workers serve, named in their errors.
   */
  constructor(count: number, data: (worker: number) => ExactIndexWorkerData, fn = 'ExactIndex.searchAsync') {
    this.fn = fn;
    const wt = workerThreads();
    if (!wt) throw new Error('worker_threads is not available in this runtime');
    const source = workerSource();
    const failure = (thread: number, what: string, cause: unknown) =>
      new WorkerThreadError({ fn, thread, threads: count, message: `${what}; ${WHAT_TO_DO}`, cause });
    for (let i = 0; i < count; i++) {
      const worker = new wt.Worker(source, { eval: true, workerData: data(i), name: `likeness ExactIndex ${i + 1}/${count}` });
      worker.on('message', (msg) => {
        const p = this.pending.get(msg.id);
        if (!p) return;
        if (msg.error !== undefined) {
          // a group needs every worker's answer: the whole search fails, and these workers are not used again
          this.fail(failure(i + 1, `it threw ${msg.error.split('\n')[0]}`, msg.error));
        } else {
          this.settle(msg.id);
          p.resolve({ rows: msg.rows!, lbs: msg.lbs!, ubs: msg.ubs! });
        }
      });
      worker.on('error', (e) => this.fail(failure(i + 1, `it threw ${e.name}: ${e.message}`, e)));
      worker.on('exit', (code) => this.fail(failure(i + 1, `it exited (code ${code})`, undefined)));
      worker.unref();
      this.workers.push(worker);
    }
  }

  /** Number of worker threads. */
  get size(): number {
    return this.workers.length;
  }

  /** Runs one task on worker `worker` (tasks on one worker run in order). */
  run(worker: number, task: ExactIndexScanTask): Promise<ExactIndexScanReply> {
    if (this.broken) return Promise.reject(this.broken);
    const id = this.nextId++;
    return new Promise<ExactIndexScanReply>((resolve, reject) => {
      if (this.pending.size === 0) for (const w of this.workers) w.ref(); // keep the process alive until the answer
      this.pending.set(id, { resolve, reject });
      this.workers[worker]!.postMessage({ id, ...task });
    });
  }

  /** The error that stopped these workers (then {@link ExactIndexWorkers.run} refuses every task), or null. */
  get failure(): Error | null {
    return this.broken;
  }

  /** Stops every worker; pending tasks reject. */
  async terminate(): Promise<void> {
    const fn = this.fn;
    this.fail(new InvalidArgumentError({ fn, argument: 'this', message: 'the index was disposed while this search was running; await searches before close() or dispose().' }));
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
  }

  private settle(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) for (const w of this.workers) w.unref();
  }

  /** Rejects the pending tasks (all of them: a group needs every worker's answer) and refuses new ones. */
  private fail(error: Error): void {
    this.broken ??= error;
    for (const [id, p] of [...this.pending]) {
      this.settle(id);
      p.reject(error);
    }
  }
}
