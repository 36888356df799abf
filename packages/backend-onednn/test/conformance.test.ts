import '@likeness/backends/cpu';
import { describeBackendConformance } from '@likeness/backends/testing';
import { describe, expect, it } from 'vitest';
import '../src/index';
import { oneDnnAvailability, REQUIRE_ONEDNN } from './availability';

const availability = oneDnnAvailability();

if (availability.available) {
  // Every op and gradient the likeness packages use, against cpu, with leak checks.
  describeBackendConformance('onednn');
} else {
  describe('onednn conformance (oneDNN not available here)', () => {
    it('is not required here, and the refusal says what to install', () => {
      expect(REQUIRE_ONEDNN, `LIKENESS_REQUIRE_ONEDNN=1 but: ${availability.error.message}`).toBe(false);
      expect(availability.error.message).toMatch(/apt-get install libdnnl-dev.*brew install onednn|rebuild it/);
    });
  });
}
