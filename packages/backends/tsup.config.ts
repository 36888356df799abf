import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tsup.shared';

export default defineConfig(
  libraryConfig({
    entry: {
      index: 'src/index.ts',
      cpu: 'src/cpu.ts',
      wasm: 'src/wasm.ts',
      webgpu: 'src/webgpu.ts',
      testing: 'src/testing.ts',
      'testing-browser': 'src/testing-browser.ts',
      conformance: 'src/conformance.ts',
    },
    // tfjs-core's gradient definitions ship only as extension-less ESM files,
    // which plain Node cannot load; bundle them (they call into the one global
    // engine, so the copy registers into the user's tfjs-core).
    splitting: true,
    noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
    external: [/^@tensorflow\/tfjs-core$/, /^@tensorflow\/tfjs-backend-/, /^@likeness\//, /^node:/, /^vitest/, 'esbuild', 'playwright-core'],
  }),
);
