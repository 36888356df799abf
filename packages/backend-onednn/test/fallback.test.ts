// Loading fails in each way a user can meet, and useBackend() falls back to wasm
// with the reason. Runs with or without oneDNN installed (never loads the real addon).
import { getLikenessBackend, listBackends, NoBackendAvailableError, useBackend } from '@likeness/backends';
import '@likeness/backends/wasm';
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ONEDNN_PRIORITY, onednnBackend, OneDnnUnavailableError } from '../src/index';
import { addonPath, loadOneDnn, resetOneDnnLoader } from '../src/native';

const builtAddon = addonPath();
const dir = mkdtempSync(join(tmpdir(), 'likeness-onednn-'));

function loadError(path: string): OneDnnUnavailableError {
  process.env.LIKENESS_ONEDNN_ADDON = path;
  resetOneDnnLoader();
  try {
    loadOneDnn();
  } catch (e) {
    expect(OneDnnUnavailableError.isInstance(e)).toBe(true);
    return e as OneDnnUnavailableError;
  }
  throw new Error(`${path} loaded`);
}

afterEach(() => {
  delete process.env.LIKENESS_ONEDNN_ADDON;
  resetOneDnnLoader();
});

describe('@likeness/backend-onednn when oneDNN cannot load', () => {
  it('registers its descriptor above wasm and below webgpu', () => {
    expect(getLikenessBackend('onednn')).toEqual({ backend: onednnBackend, priority: ONEDNN_PRIORITY });
    const names = listBackends().map((b) => b.backend.name);
    expect(names.indexOf('onednn')).toBeLessThan(names.indexOf('wasm'));
    expect(onednnBackend.coreVersion.split('.').slice(0, 2)).toEqual(tf.version_core.split('.').slice(0, 2));
  });

  it('addon not built: useBackend() falls back to wasm and says what to install', async () => {
    process.env.LIKENESS_ONEDNN_ADDON = join(dir, 'missing', 'likeness_onednn.node');
    const choice = await useBackend();
    expect(choice.name).toBe('wasm');
    expect(choice.refused).toHaveLength(1);
    expect(choice.refused[0]!.name).toBe('onednn');
    expect(choice.refused[0]!.reason).toMatch(
      /^oneDNN backend: the native addon is not built \(.*missing.*\): install oneDNN \(`apt-get install libdnnl-dev`.*`brew install onednn`.*build:native/,
    );
    // Asked for by name alone: a typed error carrying the same reason.
    const error = await useBackend('onednn').catch((e: unknown) => e);
    expect(NoBackendAvailableError.isInstance(error)).toBe(true);
    expect((error as NoBackendAvailableError).failures[0]!.reason).toMatch(/not built/);
    expect(loadError(join(dir, 'missing.node')).reason).toBe('not-built');
  });

  it('an addon that is not a shared library: library-mismatch, with how to rebuild', () => {
    const garbage = join(dir, 'garbage.node');
    writeFileSync(garbage, 'not an ELF or Mach-O file');
    const e = loadError(garbage);
    expect(e.reason).toBe('library-mismatch');
    expect(e.message).toMatch(/rebuild it with `pnpm --filter @likeness\/backend-onednn build:native`/);
  });

  // The built addon with its libdnnl dependency renamed: exactly what a machine without libdnnl sees.
  it('libdnnl missing at load time: library-missing, naming the library and the install command', () => {
    if (!existsSync(builtAddon)) {
      // Nothing built to doctor here (no oneDNN headers at build time): the default path reports that instead.
      expect(loadError(builtAddon).reason).toBe('not-built');
      return;
    }
    const bytes = readFileSync(builtAddon);
    const needle = Buffer.from('libdnnl.so.2');
    const at = bytes.indexOf(needle);
    expect(at).toBeGreaterThan(0);
    const patched = Buffer.from(bytes);
    patched.write('libdnnx.so.2', at);
    const copy = join(dir, 'no-dnnl.node');
    writeFileSync(copy, patched);
    const e = loadError(copy);
    expect(e.reason).toBe('library-missing');
    expect(e.message).toMatch(/libdnnx\.so\.2.*apt-get install libdnnl-dev.*brew install onednn/);
    // The real file is untouched.
    expect(readFileSync(builtAddon).indexOf(needle)).toBe(at);
  });
});
