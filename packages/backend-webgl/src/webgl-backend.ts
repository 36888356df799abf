import type { LikenessBackendV1 } from '@likeness/backends';
import * as tf from '@tensorflow/tfjs-core';

/** The @tensorflow/tfjs-core version this release is built and tested against. */
export const WEBGL_PLUGIN_CORE_VERSION = '4.22.0';

/** Whether a WebGL context can be created here (a browser, or a worker with OffscreenCanvas). */
function canCreateWebGLContext(): boolean {
  const g = globalThis as {
    document?: { createElement(tag: string): { getContext(kind: string): unknown } };
    OffscreenCanvas?: new (w: number, h: number) => { getContext(kind: string): unknown };
  };
  try {
    const canvas = g.OffscreenCanvas ? new g.OffscreenCanvas(1, 1) : g.document?.createElement('canvas');
    if (!canvas) return false;
    return (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) != null;
  } catch {
    return false;
  }
}

/**
 * WebGL through `@tensorflow/tfjs-backend-webgl`, as a likeness plugin.
 * Supported wherever a WebGL (2) context can be created; in Node
 * `isSupported()` is false and `useBackend()` moves on to the next backend.
 *
 * @example
 * ```ts
 * import '@likeness/backend-webgl'; // registers this descriptor at priority 2.5
 * import '@likeness/backends/cpu';
 * import { useBackend } from '@likeness/backends';
 * const { name } = await useBackend(['webgl', 'cpu']); // 'webgl' in a browser, 'cpu' in Node
 * ```
 */
export const webglBackend: LikenessBackendV1 = {
  specificationVersion: 'v1',
  name: 'webgl',
  coreVersion: WEBGL_PLUGIN_CORE_VERSION,
  isSupported: canCreateWebGLContext,
  async doRegister() {
    // Imported only here, so that importing this plugin in Node registers nothing with tfjs.
    await import('@tensorflow/tfjs-backend-webgl');
    if (tf.engine().registryFactory.webgl == null) {
      throw new Error('@tensorflow/tfjs-backend-webgl did not register the "webgl" backend');
    }
  },
  explainFailure(message: string) {
    if (!/webgl|context|texture/i.test(message)) return undefined;
    return (
      `WebGL could not start here (${message.slice(0, 200)}): enable hardware acceleration, or ` +
      `prefer another backend, e.g. useBackend(['webgpu', 'wasm', 'cpu']).`
    );
  },
  supportsTraining: true,
};
