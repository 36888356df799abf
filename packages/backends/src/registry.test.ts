import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import {
  getLikenessBackend,
  listBackends,
  registerLikenessBackend,
  UnsupportedBackendError,
  useBackend,
  type LikenessBackendV1,
} from '@likeness/backends';

function plugin(overrides: Partial<LikenessBackendV1> & { name: string }): LikenessBackendV1 {
  return {
    specificationVersion: 'v1',
    coreVersion: tf.version_core,
    isSupported: () => true,
    doRegister: () => undefined,
    ...overrides,
  } as LikenessBackendV1;
}

describe('plugin registry', () => {
  it('refuses an unknown specification version', () => {
    const bad = { ...plugin({ name: 'future' }), specificationVersion: 'v9' } as unknown as LikenessBackendV1;
    let caught: unknown;
    try {
      registerLikenessBackend(bad);
    } catch (e) {
      caught = e;
    }
    expect(UnsupportedBackendError.isInstance(caught)).toBe(true);
    expect((caught as UnsupportedBackendError).reason).toBe('specification-version');
    expect((caught as Error).message).toMatch(/supports v1/);
    expect(getLikenessBackend('future')).toBeUndefined();
  });

  it('refuses a plugin built against another tfjs-core minor version', () => {
    expect(() => registerLikenessBackend(plugin({ name: 'old', coreVersion: '3.21.0' }))).toThrowError(
      /built against @tensorflow\/tfjs-core 3\.21\.0/,
    );
  });

  it('refuses a descriptor without doRegister', () => {
    const bad = { ...plugin({ name: 'half' }), doRegister: undefined } as unknown as LikenessBackendV1;
    expect(() => registerLikenessBackend(bad)).toThrowError(/doRegister/);
  });

  it('registers a plugin, orders by priority and runs doRegister once', async () => {
    let registrations = 0;
    const alias = plugin({
      name: 'cpu-alias',
      doRegister: () => {
        registrations++;
        tf.registerBackend('cpu-alias', () => tf.findBackendFactory('cpu')!() as tf.KernelBackend, 0);
        for (const k of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...k, backendName: 'cpu-alias' });
      },
    });
    registerLikenessBackend(alias, { priority: 0.5 });
    const names = listBackends().map((b) => b.backend.name);
    expect(names.indexOf('cpu')).toBeLessThan(names.indexOf('cpu-alias'));
    const c1 = await useBackend('cpu-alias');
    expect(c1.name).toBe('cpu-alias');
    await useBackend('cpu');
    await useBackend('cpu-alias');
    expect(registrations).toBe(1);
    await useBackend('cpu');
  });

  it('reports a plugin that is not supported here', async () => {
    registerLikenessBackend(plugin({ name: 'never', isSupported: () => false }), { priority: -1 });
    expect(listBackends().some((b) => b.backend.name === 'never')).toBe(true);
    const err = await useBackend(['never']).catch((e: unknown) => e as Error);
    expect((err as Error).message).toMatch(/\[never\] not supported in this environment/);
  });
});
