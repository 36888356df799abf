// Runs in Chromium: the conformance kit on the webgpu backend.
import '@likeness/backends/cpu';
import '@likeness/backends/webgpu';
import { useBackend } from '@likeness/backends';
import { runConformance } from '@likeness/backends/conformance';

const w = window as unknown as { __likeness?: unknown };
try {
  const choice = await useBackend('webgpu');
  const report = await runConformance('webgpu');
  w.__likeness = { choice, report };
} catch (e) {
  w.__likeness = { error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e) };
}
