// The rule `useBackend()` (and the CLI's `--backend auto`, for stylize and train alike) follows in
// Node: oneDNN before wasm wherever it loads, because bench/models.mjs measured it faster than wasm
// for every workload (style-transfer and triplet steps, the descriptor, the 512 px stylisation);
// README "What auto picks". Where oneDNN cannot load, wasm with the reason (test/fallback.test.ts).
import { useBackend } from '@likeness/backends';
import '@likeness/backends/cpu';
import '@likeness/backends/wasm';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../src/index';
import { oneDnnAvailability, REQUIRE_ONEDNN } from './availability';

const availability = oneDnnAvailability();

describe('what useBackend() picks with oneDNN, wasm and cpu registered', () => {
  it(availability.available ? 'oneDNN, with nothing refused' : 'wasm, saying why oneDNN was refused', async () => {
    const choice = await useBackend(undefined, { allowSwitchWithTensors: true });
    if (availability.available) {
      expect(choice.name).toBe('onednn');
      expect(choice.refused).toEqual([]);
      // and it computes: a relu6 gradient (the mask ops this release moved to native code).
      const g = tf.tidy(() => Array.from(tf.grad((x: tf.Tensor) => tf.sum(tf.relu6(x)))(tf.tensor1d([-1, 3, 7])).dataSync()));
      expect(g).toEqual([0, 1, 0]);
    } else {
      expect(REQUIRE_ONEDNN, `LIKENESS_REQUIRE_ONEDNN=1 but: ${availability.error.message}`).toBe(false);
      expect(choice.name).toBe('wasm');
      expect(choice.refused.map((r) => r.name)).toEqual(['onednn']);
    }
  });
});
