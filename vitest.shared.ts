import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { UserConfig } from 'vitest/config';

const root = dirname(fileURLToPath(import.meta.url));

/**
 * Aliases every `@likeness/*` import (and its subpath exports) to the package's
 * TypeScript source through the `@likeness/source` export condition, so tests
 * never need a build and always see the code under test.
 */
function sourceAliases(): { find: RegExp; replacement: string }[] {
  const aliases: { find: RegExp; replacement: string }[] = [];
  const pkgsDir = join(root, 'packages');
  for (const dir of readdirSync(pkgsDir)) {
    const manifest = join(pkgsDir, dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
      name: string;
      exports?: Record<string, unknown>;
    };
    const entries = Object.entries(pkg.exports ?? {}).filter(
      ([, v]) => typeof v === 'object' && v !== null && '@likeness/source' in (v as object),
    );
    // Longest subpath first so `@likeness/backends/cpu` wins over `@likeness/backends`.
    entries.sort((a, b) => b[0].length - a[0].length);
    for (const [sub, target] of entries) {
      const spec = sub === '.' ? pkg.name : `${pkg.name}/${sub.slice(2)}`;
      const src = (target as Record<string, string>)['@likeness/source'];
      aliases.push({
        find: new RegExp(`^${spec.replace(/[/.]/g, '\\$&')}$`),
        replacement: resolve(pkgsDir, dir, src),
      });
    }
  }
  return aliases;
}

export function sharedTestConfig(opts: { name: string; testTimeout?: number; include?: string[] }): UserConfig {
  return {
    resolve: { alias: sourceAliases() },
    test: {
      name: opts.name,
      include: opts.include ?? ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: opts.testTimeout ?? 60_000,
      hookTimeout: 60_000,
      pool: 'forks',
      server: {
        deps: {
          // tfjs-core's per-file ESM build (gradients) uses extension-less
          // imports; let Vite resolve it instead of Node.
          inline: [/@tensorflow\/tfjs-core\/dist\/(gradients|register_all_gradients|ops|engine)/],
        },
      },
    },
  };
}
