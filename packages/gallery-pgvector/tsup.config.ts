import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tsup.shared';

export default defineConfig(
  libraryConfig({
    entry: { index: 'src/index.ts', node: 'src/node.ts' },
    external: [/^@tensorflow\//, /^@likeness\//, /^node:/, /^@electric-sql\//, 'pg', 'proper-lockfile'],
  }),
);
