// Runs in Chromium: the conformance kit on the webgl plugin.
import '@likeness/backend-webgl';
import '@likeness/backends/cpu';
import { useBackend } from '@likeness/backends';
import { runConformance } from '@likeness/backends/conformance';

const w = window as unknown as { __likeness?: unknown };
try {
  const choice = await useBackend('webgl');
  const report = await runConformance('webgl');
  w.__likeness = { choice, report };
} catch (e) {
  w.__likeness = { error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e) };
}
