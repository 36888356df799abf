// `pnpm likeness …` at the repo root: the `likeness` CLI of apps/node (built
// by `pnpm build`, `pnpm demo` or `pnpm test`). Relative paths are taken from
// the folder the command was typed in (pnpm runs scripts from the root).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '../apps/node/dist/cli.js');
if (!existsSync(cli)) {
  process.stderr.write('likeness: the CLI is not built yet: run `npx -y pnpm@10.34.9 build` (or the quick start\'s first line) at the repo root\n');
  process.exit(2);
}
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
await import(cli);
