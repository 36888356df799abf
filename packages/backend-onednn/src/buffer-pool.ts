/**
 * Output storage for the oneDNN backend's kernels, recycled across ops.
 *
 * The cpu backend gives every op a fresh `Float32Array`; the operating system
 * hands its pages out zeroed one page fault at a time on first write, and on
 * this project's machines that cost 240–370 ms for one 66 MB activation (a
 * triplet batch's [50, 112, 92, 32]) against 5 ms for the oneDNN primitive
 * that fills it. wasm never pays it (its heap is touched once and reused).
 * The pool keeps the `ArrayBuffer`s of disposed tensors, by byte length, and
 * hands them to the next output of the same size, or failing that the
 * smallest spare of up to twice the size (as a view of its first bytes): a
 * training loop, whose shapes repeat every step, then faults its pages in
 * once, and a one-off forward pass reuses its earlier layers' storage.
 *
 * A buffer is recycled only when nothing else can still see it:
 * - it was allocated here (arrays a user passed to `tf.tensor` are never reused);
 * - it backs exactly one tensor's data, through the very array the pool
 *   handed out (a second tensor or another view of it — the cpu kernels return
 *   contiguous slices as views — pins it for good: it is then left to the
 *   garbage collector);
 * - reads (`dataSync()`, `data()`) return copies of pooled storage, as the wasm
 *   backend's do, so an array handed to the user is never overwritten.
 */
export class BufferPool {
  /** Buffers below this size are not pooled: allocating them is cheap. */
  static readonly MIN_BYTES = 16 * 1024;

  private readonly free = new Map<number, ArrayBuffer[]>();
  // 'new': handed out, not yet a tensor's storage; 'attached': one tensor's whole storage;
  // 'spare': in `free`; 'pinned': shared or viewed, never recycled.
  private readonly state = new WeakMap<ArrayBuffer, 'new' | 'attached' | 'spare' | 'pinned'>();
  // The array handed out over each buffer: the only one that may attach it.
  private readonly issued = new WeakMap<ArrayBuffer, ArrayBufferView>();
  private freeBytes = 0;
  private hits = 0;
  private misses = 0;

  /** @param limitBytes the most bytes of spare buffers kept (0: no pooling). */
  constructor(private limitBytes: number) {}

  /** A `Float32Array` of `length` values, contents unspecified (the caller writes every value). */
  floats(length: number): Float32Array {
    return this.issue(new Float32Array(this.take(length * 4), 0, length));
  }

  /** A `Uint8Array` of `length` bytes (bool storage), contents unspecified. */
  bytes(length: number): Uint8Array {
    return this.issue(new Uint8Array(this.take(length), 0, length));
  }

  /** An `Int32Array` of `length` values, contents unspecified. */
  ints(length: number): Int32Array {
    return this.issue(new Int32Array(this.take(length * 4), 0, length));
  }

  private issue<T extends ArrayBufferView>(view: T): T {
    if (this.state.has(view.buffer as ArrayBuffer)) this.issued.set(view.buffer as ArrayBuffer, view);
    return view;
  }

  private take(bytes: number): ArrayBuffer {
    if (bytes < BufferPool.MIN_BYTES || this.limitBytes === 0) return new ArrayBuffer(bytes);
    // The same size, else the smallest spare of up to twice the size.
    let size = this.free.has(bytes) ? bytes : 0;
    if (size === 0) for (const s of this.free.keys()) if (s > bytes && s <= 2 * bytes && (size === 0 || s < size)) size = s;
    const list = size === 0 ? undefined : this.free.get(size);
    const spare = list?.pop();
    if (spare) {
      if (list!.length === 0) this.free.delete(size);
      this.freeBytes -= size;
      this.hits++;
      this.state.set(spare, 'new');
      return spare;
    }
    this.misses++;
    const buffer = new ArrayBuffer(bytes);
    this.state.set(buffer, 'new');
    return buffer;
  }

  /**
   * Called when `values` becomes a tensor's storage. A pooled buffer seen a
   * second time, or through a view, is pinned (never recycled).
   */
  attach(values: unknown): void {
    if (!ArrayBuffer.isView(values)) return;
    const buffer = values.buffer as ArrayBuffer;
    const s = this.state.get(buffer);
    if (s === undefined || s === 'pinned') return;
    this.state.set(buffer, s === 'new' && this.issued.get(buffer) === values ? 'attached' : 'pinned');
  }

  /** True when `values` is pooled storage (reads must copy it). */
  owns(values: unknown): boolean {
    if (!ArrayBuffer.isView(values)) return false;
    return this.state.get(values.buffer as ArrayBuffer) !== undefined;
  }

  /** Called when the tensor data holding `values` is released: its buffer becomes spare. */
  release(values: unknown): void {
    if (!ArrayBuffer.isView(values)) return;
    const buffer = values.buffer as ArrayBuffer;
    if (this.state.get(buffer) !== 'attached') return;
    if (this.freeBytes + buffer.byteLength > this.limitBytes) this.evict(this.freeBytes + buffer.byteLength - this.limitBytes);
    if (this.freeBytes + buffer.byteLength > this.limitBytes) {
      this.state.delete(buffer); // larger than the whole pool: left to the garbage collector
      return;
    }
    this.state.set(buffer, 'spare');
    const list = this.free.get(buffer.byteLength);
    if (list) list.push(buffer);
    else this.free.set(buffer.byteLength, [buffer]);
    this.freeBytes += buffer.byteLength;
  }

  /** Drops spare buffers (oldest sizes first) until `bytes` are freed. */
  private evict(bytes: number): void {
    for (const [size, list] of this.free) {
      while (list.length > 0 && bytes > 0) {
        this.state.delete(list.shift()!);
        this.freeBytes -= size;
        bytes -= size;
      }
      if (list.length === 0) this.free.delete(size);
      if (bytes <= 0) return;
    }
  }

  /** Sets the most bytes of spare buffers kept (0 turns pooling off and drops them all). */
  setLimit(bytes: number): void {
    this.limitBytes = bytes;
    if (this.freeBytes > bytes) this.evict(this.freeBytes - bytes);
  }

  /** Drops every spare buffer. */
  clear(): void {
    this.evict(Number.POSITIVE_INFINITY);
  }

  /** Spare bytes held, and how many pooled allocations were served from spares (hits) or new (misses). */
  stats(): BufferPoolStats {
    return { spareBytes: this.freeBytes, limitBytes: this.limitBytes, hits: this.hits, misses: this.misses };
  }
}

/** What `bufferPoolStats()` reports. */
export interface BufferPoolStats {
  /** Bytes of disposed tensors' storage kept for reuse. */
  readonly spareBytes: number;
  /** The most spare bytes kept (`LIKENESS_ONEDNN_POOL_MB`, default 2048 MiB; `setBufferPoolLimit`). */
  readonly limitBytes: number;
  /** Pooled allocations served from a spare buffer. */
  readonly hits: number;
  /** Pooled allocations that needed a new buffer. */
  readonly misses: number;
}
