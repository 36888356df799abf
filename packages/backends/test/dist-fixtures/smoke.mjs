import * as tf from '@tensorflow/tfjs-core';
import '../../dist/cpu.js';
import '../../dist/wasm.js';
import { useBackend } from '../../dist/index.js';
import { check } from './check.mjs';

console.log(JSON.stringify({ format: 'esm', ...(await check(tf, useBackend)) }));
