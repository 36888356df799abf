import {
  getLikenessBackend,
  listBackends,
  NoBackendAvailableError,
  registerLikenessBackend,
  UnsupportedBackendError,
  useBackend,
  type LikenessBackendV1,
} from '@likeness/backends';
import '@likeness/backends/cpu';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { WEBGL_PRIORITY, webglBackend } from './index';

describe('@likeness/backend-webgl in Node', () => {
  it('registers its descriptor with @likeness/backends, between webgpu and wasm', () => {
    expect(getLikenessBackend('webgl')).toEqual({ backend: webglBackend, priority: WEBGL_PRIORITY });
    const names = listBackends().map((b) => b.backend.name);
    expect(names.indexOf('webgl')).toBeLessThan(names.indexOf('cpu'));
  });

  it('is a valid v1 descriptor for the running tfjs-core', () => {
    expect(webglBackend.specificationVersion).toBe('v1');
    expect(webglBackend.coreVersion.split('.').slice(0, 2)).toEqual(tf.version_core.split('.').slice(0, 2));
  });

  it('is refused by the registry when its spec version or core version is wrong', () => {
    const badSpec = { ...webglBackend, name: 'webgl-bad-spec', specificationVersion: 'v9' } as unknown as LikenessBackendV1;
    expect(() => registerLikenessBackend(badSpec)).toThrow(/specification "v9"/);
    const badCore = { ...webglBackend, name: 'webgl-bad-core', coreVersion: '3.21.0' };
    const e = (() => {
      try {
        registerLikenessBackend(badCore);
      } catch (err) {
        return err;
      }
    })();
    expect(UnsupportedBackendError.isInstance(e)).toBe(true);
    expect((e as UnsupportedBackendError).message).toMatch(/3\.21\.0/);
  });

  it('says it is not supported in Node, and registers nothing with tfjs', async () => {
    expect(await webglBackend.isSupported()).toBe(false);
    expect(tf.engine().registryFactory.webgl).toBeUndefined();
  });

  it('is reported as refused by useBackend, which falls back to cpu', async () => {
    const choice = await useBackend(['webgl', 'cpu']);
    expect(choice.name).toBe('cpu');
    expect(choice.refused).toEqual([{ name: 'webgl', reason: 'not supported in this environment' }]);
    const error = await useBackend('webgl').catch((e: unknown) => e);
    expect(NoBackendAvailableError.isInstance(error)).toBe(true);
    expect((error as NoBackendAvailableError).failures[0]).toEqual({ name: 'webgl', reason: 'not supported in this environment' });
  });

  it('turns a WebGL start-up failure into advice', () => {
    expect(webglBackend.explainFailure?.('Error: WebGL is not supported on this device')).toMatch(/WebGL could not start.*useBackend/);
    expect(webglBackend.explainFailure?.('something else')).toBeUndefined();
  });
});
