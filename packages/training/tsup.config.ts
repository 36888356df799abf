import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tsup.shared';

export default defineConfig(
  libraryConfig({
    entry: { index: 'src/index.ts', node: 'src/node.ts', testing: 'src/testing.ts' },
    external: [/^@tensorflow\//, /^@likeness\//, /^node:/, /^vitest/],
  }),
);
