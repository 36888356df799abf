import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tsup.shared';

export default defineConfig(libraryConfig({ entry: { index: 'src/index.ts' } }));
