const tf = require('@tensorflow/tfjs-core');
require('../../dist/cpu.cjs');
require('../../dist/wasm.cjs');
const { useBackend } = require('../../dist/index.cjs');

import('./check.mjs')
  .then(({ check }) => check(tf, useBackend))
  .then((r) => console.log(JSON.stringify({ format: 'cjs', ...r })))
  .catch((e) => {
    console.error(e);
    process.exit(1);
  });
