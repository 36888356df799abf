import '@likeness/backends/cpu';
import '@likeness/backends/wasm';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@likeness/backends';
import { loadOrl } from './orl';
import { ORL_SPLITS } from './splits';
import { trainingSet, trainCompactTriplet } from './triplet-common';
const images = loadOrl();
for (const backend of ['wasm', 'cpu']) {
  await useBackend(backend);
  for (const scale of [2, 1]) {
    const data = trainingSet(images, ORL_SPLITS[0]!, scale);
    const r = await trainCompactTriplet(data, { strategy: 'batch-hard', steps: 4, scale, seed: 1 });
    console.log(backend, scale, (r.ms / 4).toFixed(0), 'ms/step', r.losses.map((l) => l.toFixed(3)).join(' '));
    r.encoder.dispose(); data.images.dispose();
  }
}
