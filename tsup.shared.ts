import type { Options } from 'tsup';

/**
 * One build recipe for every library package: ESM + CJS + d.ts (per-format
 * declarations), peers external, tfjs-core never bundled (one engine).
 */
export function libraryConfig(overrides: Partial<Options> = {}): Options {
  return {
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    platform: 'neutral',
    // Entries (`.` and `./node`) share one copy of each module: classes such as
    // Gallery must be the same across entry points.
    splitting: true,
    treeshake: true,
    shims: false,
    external: [/^@tensorflow\//, /^@likeness\//, /^node:/],
    ...overrides,
  };
}
