import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The built package's two entries ('.' and './node') must share one copy of
// each class: a Gallery made by the main entry is saved by the Node entry.
const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '..');

describe('built entries share their classes', () => {
  it('saves a gallery created by the main entry with the node entry (plain Node ESM)', () => {
    expect(existsSync(join(pkg, 'dist/index.js')), 'dist missing: run `pnpm --filter @likeness/embeddings build`').toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'likeness-dist-'));
    const script = join(pkg, `.dist-entries-${process.pid}.mjs`);
    writeFileSync(
      script,
      `import * as tf from '@tensorflow/tfjs-core';
import '@likeness/backends/cpu';
import { useBackend } from '@likeness/backends';
import { createGallery } from './dist/index.js';
import { saveGallery, loadGallery } from './dist/node.js';
await useBackend('cpu');
const g = createGallery({ metric: 'l2', dimension: 2 });
const e = tf.tensor2d([[1, 0]]);
await g.enrol('ada', e);
await saveGallery(g, ${JSON.stringify(join(dir, 'g.gallery'))});
const h = await loadGallery(${JSON.stringify(join(dir, 'g.gallery'))});
console.log(JSON.stringify({ size: await h.count() }));
`,
    );
    try {
      const out = execFileSync(process.execPath, [script], { cwd: pkg, encoding: 'utf8' });
      expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({ size: 1 });
    } finally {
      execFileSync('rm', ['-f', script]);
    }
  });
});
