import { defineConfig } from 'tsup';

// The CLI and the demo, as plain ESM for Node 20. Dependencies stay external
// (the @likeness/* packages resolve to their built dist through their exports).
export default defineConfig({
  entry: { cli: 'src/cli.ts', demo: 'src/demo.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  splitting: true,
  banner: { js: '#!/usr/bin/env node' },
});
