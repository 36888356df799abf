import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared';

export default defineConfig(sharedTestConfig({ name: '@likeness/backend-onednn', testTimeout: 120_000 }));
