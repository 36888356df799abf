import * as tf from '@tensorflow/tfjs-core';
import '@likeness/backends/wasm';
import '@likeness/backends/cpu';
import { useBackend } from '@likeness/backends';
import { styleTransfer } from '@likeness/nst';
import { loadDefaultExtractor } from '@likeness/nst/node';
import { readImage, writeImage } from './lib/images.mjs';
const [backend='wasm', model='mobilenet_v2', width='256', iters='100', sw, cw, lr, opt='adam', smoothing] = process.argv.slice(2);
await useBackend(backend);
const ex = await loadDefaultExtractor({ model });
const D = '/work/shared/data/nst';
const content = await readImage(`${D}/content/tubingen.jpg`, { width: +width });
const style = await readImage(`${D}/style/starry_night.jpg`, { width: +width });
const t0 = Date.now();
const { image, history } = await styleTransfer({ extractor: ex, content, styles: [style], iterations: +iters, optimizer: opt,
  styleWeight: sw ? +sw : undefined, contentWeight: cw ? +cw : undefined, learningRate: lr ? +lr : undefined, smoothing: smoothing || undefined,
  onProgress: (e) => { if (e.iteration % 10 === 0 || e.iteration === 1) console.log(e.iteration, e.loss.toFixed(3), e.content.toFixed(3), e.style.toFixed(3), e.tv.toFixed(4), ((Date.now()-t0)/e.iteration/1000).toFixed(2)+'s/it'); } });
await writeImage(`/tmp/nst/out_${model}_${backend}_${width}_${opt}_${sw}_${cw}_${smoothing}.jpg`, image);
console.log('done', (Date.now() - t0) / 1000, 's', tf.memory().numTensors);
