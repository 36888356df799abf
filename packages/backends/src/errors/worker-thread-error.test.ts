import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, LikenessError, WorkerThreadError } from '../index';

describe('WorkerThreadError', () => {
  it('names the function and the thread, keeps what the thread reported as cause', () => {
    const cause = new RangeError('out of memory');
    const e = new WorkerThreadError({ fn: 'ExactIndex.searchAsync', thread: 2, threads: 3, message: 'it threw RangeError: out of memory; retry.', cause });
    expect(e.message).toBe('ExactIndex.searchAsync: worker thread 2 of 3 failed: it threw RangeError: out of memory; retry.');
    expect([e.name, e.code, e.fn, e.thread, e.threads]).toEqual(['LikenessWorkerThreadError', 'LIKENESS_WORKER_THREAD', 'ExactIndex.searchAsync', 2, 3]);
    expect(e.cause).toBe(cause);
    expect(e).toBeInstanceOf(LikenessError);
    expect(e).toBeInstanceOf(Error);
  });

  it('isInstance works by marker (across package copies) and tells the classes apart', () => {
    const e = new WorkerThreadError({ fn: 'f', thread: 1, threads: 1, message: 'x' });
    expect(WorkerThreadError.isInstance(e)).toBe(true);
    expect(LikenessError.isInstance(e)).toBe(true);
    expect(InvalidArgumentError.isInstance(e)).toBe(false);
    expect(WorkerThreadError.isInstance(new InvalidArgumentError({ fn: 'f', argument: 'a', message: 'm' }))).toBe(false);
    expect(WorkerThreadError.isInstance(new Error('plain'))).toBe(false);
    // another copy of the package: a different class, the same global marker
    const copy = Object.assign(new Error('copy'), { [Symbol.for('likeness.error.worker-thread')]: true });
    expect(WorkerThreadError.isInstance(copy)).toBe(true);
    expect(WorkerThreadError.isInstance(null)).toBe(false);
  });
});
