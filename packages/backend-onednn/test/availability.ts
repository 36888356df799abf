import { useBackend } from '@likeness/backends';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadOneDnn, OneDnnUnavailableError } from '../src/index';

/** `LIKENESS_REQUIRE_ONEDNN=1` (set by .ci/run after installing libdnnl-dev): a refusal is a failure. */
export const REQUIRE_ONEDNN = process.env.LIKENESS_REQUIRE_ONEDNN === '1';

/** Whether the addon loads here, and if not the reason it gives. */
export function oneDnnAvailability(): { available: true } | { available: false; error: OneDnnUnavailableError } {
  try {
    loadOneDnn();
    return { available: true };
  } catch (e) {
    if (!OneDnnUnavailableError.isInstance(e)) throw e;
    return { available: false, error: e };
  }
}

/**
 * Declares the suite `title` on the oneDNN backend (switched to before its tests run). Where the addon
 * does not load, declares instead one test that fails under `LIKENESS_REQUIRE_ONEDNN=1` and otherwise
 * checks that the refusal says what to install: never a silently skipped suite.
 */
export function describeOnOneDnn(title: string, body: () => void): void {
  const availability = oneDnnAvailability();
  if (!availability.available) {
    const { error } = availability;
    describe(`${title} (oneDNN not available here)`, () => {
      it('is not required here, and the refusal says what to install', () => {
        expect(REQUIRE_ONEDNN, `LIKENESS_REQUIRE_ONEDNN=1 but: ${error.message}`).toBe(false);
        expect(error.message).toMatch(/apt-get install libdnnl-dev|rebuild it/);
      });
    });
    return;
  }
  describe(title, () => {
    beforeAll(async () => {
      expect((await useBackend('onednn', { allowSwitchWithTensors: true })).name).toBe('onednn');
    });
    body();
  });
}

/** Runs `f` on an empty primitive cache and checks it used a oneDNN primitive (the native path, not the cpu fallback). */
export function onOneDnn<T>(f: () => T): T {
  loadOneDnn().clearCache();
  const out = f();
  expect(loadOneDnn().cacheSize(), 'a oneDNN primitive was used').toBeGreaterThan(0);
  return out;
}

/** Runs `f` and checks the addon's own loop ran (the broadcasting arithmetic, sums and means over adjacent axes, batch norm). */
export function onNativeLoop<T>(f: () => T): T {
  const before = loadOneDnn().nativeLoops();
  const out = f();
  expect(loadOneDnn().nativeLoops(), 'the native loop ran').toBeGreaterThan(before);
  return out;
}
