import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared';

// PGlite's first start (initdb in WebAssembly) takes 10-30 s on a busy 2-core machine.
export default defineConfig(sharedTestConfig({ name: '@likeness/gallery-pgvector', testTimeout: 240_000 }));
