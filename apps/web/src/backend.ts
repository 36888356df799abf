/**
 * Backend choice for the page: `?backend=webgpu|wasm|cpu|auto` (default auto:
 * webgpu → wasm → cpu). Switching reloads the page, so every model starts on
 * a clean engine.
 */
import '@likeness/backends/webgpu';
import '@likeness/backends/wasm';
import '@likeness/backends/cpu';
import { env, useBackend, type BackendChoice } from '@likeness/backends';

export const BACKENDS = ['auto', 'webgpu', 'wasm', 'cpu'] as const;

/** The backend asked for in the URL. */
export function requestedBackend(): string {
  const b = new URLSearchParams(location.search).get('backend') ?? 'auto';
  return (BACKENDS as readonly string[]).includes(b) ? b : 'auto';
}

/** Initialises the requested backend; the wasm binaries are served by this app under ./wasm/. */
export async function startBackend(requested: string): Promise<BackendChoice> {
  env.wasm.wasmPaths = new URL('./wasm/', document.baseURI).href;
  return requested === 'auto' ? useBackend() : useBackend(requested);
}

/** Reloads the page on another backend. */
export function switchBackend(name: string): void {
  const url = new URL(location.href);
  url.searchParams.set('backend', name);
  location.assign(url.href);
}
