// Scaffolds a library package under packages/<dir>. Used once per package; kept
// so that new packages start with the same manifest, build and test wiring.
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const [dir, description, deps = ''] = process.argv.slice(2);
if (!dir || !description) {
  console.error('usage: node scripts/new-package.mjs <dir> <description> [dep,dep]');
  process.exit(2);
}
const root = join('packages', dir);
const name = `@likeness/${dir}`;
mkdirSync(join(root, 'src'), { recursive: true });
const likenessDeps = Object.fromEntries(
  deps.split(',').filter(Boolean).map((d) => [`@likeness/${d}`, 'workspace:^']),
);
const pkg = {
  name,
  version: '0.1.0',
  description,
  license: 'MIT',
  type: 'module',
  sideEffects: false,
  repository: { type: 'git', url: 'git+https://example.invalid/likeness.git', directory: `packages/${dir}` },
  main: './dist/index.cjs',
  module: './dist/index.js',
  types: './dist/index.d.cts',
  exports: {
    '.': {
      '@likeness/source': './src/index.ts',
      import: { types: './dist/index.d.ts', default: './dist/index.js' },
      require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
    },
    './package.json': './package.json',
  },
  files: ['dist', 'src', '!src/**/*.test.ts', '!src/**/__fixtures__'],
  scripts: {
    build: 'tsup',
    typecheck: 'tsc --noEmit -p tsconfig.json',
    lint: 'publint --strict && attw --pack . --profile node16',
    test: 'vitest run',
  },
  dependencies: likenessDeps,
  peerDependencies: { '@tensorflow/tfjs-core': '^4.22.0' },
  devDependencies: { '@tensorflow/tfjs-core': 'catalog:' },
  publishConfig: { access: 'public', provenance: true },
};
if (!existsSync(join(root, 'package.json'))) {
  writeFileSync(join(root, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
}
writeFileSync(
  join(root, 'tsup.config.ts'),
  `import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tsup.shared';

export default defineConfig(libraryConfig({ entry: { index: 'src/index.ts' } }));
`,
);
writeFileSync(
  join(root, 'tsconfig.json'),
  JSON.stringify({ extends: '../../tsconfig.base.json', include: ['src', '*.ts'] }, null, 2) + '\n',
);
writeFileSync(
  join(root, 'vitest.config.ts'),
  `import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared';

export default defineConfig(sharedTestConfig({ name: '${name}' }));
`,
);
console.log('scaffolded', name);
