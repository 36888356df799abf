import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useBackend, type BackendChoice } from '@likeness/backends';
import { loadOrl, locateOrl, type OrlImage } from './orl';

/** What every ORL evaluation script starts from. */
export interface OrlRun {
  root: string;
  out: string;
  backend: BackendChoice;
  images: OrlImage[];
  t0: number;
}

/**
 * Finds the ORL data (or exits 2 with the reason: the data is missing),
 * makes `apps/face-eval/output/`, picks wasm (else cpu) and loads the 400 images.
 * Import '@likeness/backends/wasm' and '/cpu' before calling it.
 */
export async function startOrlRun(): Promise<OrlRun> {
  let root: string;
  try {
    root = locateOrl();
  } catch (e) {
    console.error(`face-eval: ${(e as Error).message}`);
    process.exit(2);
  }
  const t0 = Date.now();
  const out = resolve(dirname(fileURLToPath(import.meta.url)), '../output');
  mkdirSync(out, { recursive: true });
  const backend = await useBackend(['wasm', 'cpu']);
  return { root, out, backend, images: loadOrl(root), t0 };
}
