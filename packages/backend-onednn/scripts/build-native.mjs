#!/usr/bin/env node
// Builds the oneDNN addon (build/Release/likeness_onednn.node) with node-gyp.
//
//   node scripts/build-native.mjs                 build, and fail when oneDNN is missing
//   node scripts/build-native.mjs --if-available  build when oneDNN's headers are found,
//                                                 otherwise say so and exit 0 (the package's
//                                                 `build`, so installs without oneDNN pass)
//
// ONEDNN_INCLUDE_DIR / ONEDNN_LIB_DIR point at a oneDNN installed elsewhere.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const optional = process.argv.includes('--if-available');
const includeDirs = [process.env.ONEDNN_INCLUDE_DIR, '/usr/include', '/usr/local/include', '/opt/homebrew/include'].filter(Boolean);
const header = includeDirs.map((d) => join(d, 'oneapi', 'dnnl', 'dnnl.hpp')).find((f) => existsSync(f));

if (!header) {
  const advice =
    'oneDNN headers not found (oneapi/dnnl/dnnl.hpp): install them with `apt-get install libdnnl-dev` ' +
    '(Debian/Ubuntu) or `brew install onednn` (macOS), or set ONEDNN_INCLUDE_DIR and ONEDNN_LIB_DIR.';
  if (optional) {
    console.log(`@likeness/backend-onednn: skipping the native addon: ${advice} useBackend() will fall back to wasm.`);
    process.exit(0);
  }
  console.error(`@likeness/backend-onednn: ${advice}`);
  process.exit(1);
}

const require = createRequire(import.meta.url);
let gyp;
try {
  gyp = require.resolve('node-gyp/bin/node-gyp.js');
} catch {
  // npm ships node-gyp; use that copy when the devDependency is not installed.
  gyp = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
}
const env = { ...process.env };
const inc = dirname(dirname(dirname(header)));
env.CXXFLAGS = `${env.CXXFLAGS ?? ''} -I${inc}`.trim();
if (process.env.ONEDNN_LIB_DIR) env.LDFLAGS = `${env.LDFLAGS ?? ''} -L${process.env.ONEDNN_LIB_DIR} -Wl,-rpath,${process.env.ONEDNN_LIB_DIR}`.trim();
// Build against the running Node's own headers (Debian's /usr/include/node, or a
// Node tarball's include/node) so that node-gyp never downloads them.
const prefix = dirname(dirname(process.execPath));
const args = [gyp, 'rebuild', '--jobs=2'];
if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
const r = spawnSync(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
if (r.status !== 0) {
  const message = `@likeness/backend-onednn: building the native addon failed (node-gyp exit ${r.status ?? r.signal}).`;
  if (optional) {
    console.log(`${message} useBackend() will fall back to wasm; run \`pnpm build:native\` to see the error.`);
    process.exit(0);
  }
  console.error(message);
  process.exit(1);
}
console.log(`@likeness/backend-onednn: built ${join(root, 'build', 'Release', 'likeness_onednn.node')}`);
