// Its own file: the wasm backend can initialise only once per process (vitest runs files in separate forks).
import { describe, expect, it } from 'vitest';
import '../src/cpu';
import '../src/wasm';
import { BackendAlreadyInitializedError, env, useBackend } from '../src/index';

describe('changing env.wasm after the wasm backend started', () => {
  it('throws BackendAlreadyInitializedError naming the setting, for numThreads and wasmPaths', async () => {
    env.wasm.numThreads = 1;
    expect((await useBackend('wasm')).name).toBe('wasm');

    env.wasm.numThreads = 2;
    const e1 = await useBackend('wasm').catch((e: unknown) => e);
    expect(BackendAlreadyInitializedError.isInstance(e1)).toBe(true);
    expect((e1 as Error).message).toMatch(/env\.wasm.*before the first useBackend\(\)/);
    expect((e1 as BackendAlreadyInitializedError).backend).toBe('wasm');

    env.wasm.numThreads = 1;
    env.wasm.wasmPaths = '/somewhere/else/';
    await useBackend('cpu');
    const e2 = await useBackend('wasm').catch((e: unknown) => e);
    expect(BackendAlreadyInitializedError.isInstance(e2)).toBe(true);

    // Back to the settings it started with: usable again.
    env.wasm.wasmPaths = undefined;
    expect((await useBackend('wasm')).name).toBe('wasm');
  });
});
