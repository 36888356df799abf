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
