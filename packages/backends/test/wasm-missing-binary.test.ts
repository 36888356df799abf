// Its own file: the wasm backend can initialise only once per process (vitest runs files in separate forks).
import { describe, expect, it } from 'vitest';
import '../src/wasm';
import { env, NoBackendAvailableError, useBackend } from '../src/index';

describe('wasm with env.wasm.wasmPaths pointing at a directory without the binaries', () => {
  it('is refused with a reason that says the binary could not be loaded and to set env.wasm.wasmPaths', async () => {
    env.wasm.wasmPaths = '/nonexistent/likeness-wasm/';
    const error = await useBackend('wasm').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(NoBackendAvailableError.isInstance(error)).toBe(true);
    const failure = (error as NoBackendAvailableError).failures[0]!;
    expect(failure.name).toBe('wasm');
    expect(failure.reason).toMatch(/wasm binary could not be loaded/);
    expect(failure.reason).toMatch(/\/nonexistent\/likeness-wasm\/tfjs-backend-wasm[\w-]*\.wasm/);
    expect(failure.reason).toMatch(/set env\.wasm\.wasmPaths/);
  });
});
