/**
 * @likeness/backend-webgl — a likeness backend plugin for WebGL.
 *
 * Side-effect entry: `import '@likeness/backend-webgl'` registers the
 * descriptor with `@likeness/backends` at priority 2.5 (between webgpu 3 and
 * wasm 2). The tfjs WebGL backend itself is loaded only when `useBackend()`
 * picks it.
 *
 * @module @likeness/backend-webgl
 */
import { registerLikenessBackend } from '@likeness/backends';
import { webglBackend } from './webgl-backend';

/** The priority this entry registers `webglBackend` at. */
export const WEBGL_PRIORITY = 2.5;

registerLikenessBackend(webglBackend, { priority: WEBGL_PRIORITY });

// The descriptor
export { webglBackend, WEBGL_PLUGIN_CORE_VERSION } from './webgl-backend';
