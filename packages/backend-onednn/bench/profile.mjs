// Per-kernel profile of one step (tf.profile: time and count per kernel, the two costliest shapes),
// to find what to move to native code next.
// Run (after `pnpm build`): node bench/profile.mjs style|vgg|triplet|descriptor [onednn|wasm|cpu] [size for style/vgg, default 256; batch for descriptor, default 1]
//   (vgg: the style step on VGG-19 to relu5_1 with generated weights, as bench/models.mjs times it)
//   node bench/profile.mjs stylise [onednn|wasm|cpu] [width, default 512] — the CLI's default stylisation
//   (bench/models.mjs's recipe): its phases timed (setup alone: 0 + 0 steps, cold then warm; 1 + 1
//   steps; the whole 150 + 50), then the kernels of the warm setup.
import * as tf from '@tensorflow/tfjs-core';
import '@likeness/backends/cpu';
import '@likeness/backends/wasm';
import { env, useBackend } from '@likeness/backends';
import { createCompactEncoder, createFaceResNet } from '@likeness/embeddings';
import { createStyleTransfer, createVgg, styleTransfer } from '@likeness/nst';
import { generatedVgg19Weights, smoothImage } from '../../../scripts/bench-harness.mjs';
import { loadDefaultExtractor } from '@likeness/nst/node';
import { mineTriplets, tripletLoss } from '@likeness/triplet';
import '../dist/index.js';
tf.env().set('IS_TEST', true);
const which = process.argv[2] ?? 'style';
const be = process.argv[3] ?? 'onednn';
env.wasm.numThreads = 2;
await useBackend(be);
let step;
if (which === 'stylise') {
  let t0 = performance.now();
  const extractor = await loadDefaultExtractor();
  console.log('load extractor ms', (performance.now() - t0).toFixed(0));
  const width = Number(process.argv[4] ?? 512);
  const content = smoothImage(Math.round((width * 3) / 4), width, 1);
  const style = smoothImage(Math.round(width * 1.25), width, 2);
  const run = async (iterations, label) => {
    const t = performance.now();
    const faults = process.resourceUsage().minorPageFault;
    const { image } = await styleTransfer({ extractor, content, styles: [style], scales: [0.5, 1], iterations });
    image.dispose();
    const rss = (process.memoryUsage().rss / 2 ** 20).toFixed(0);
    console.log(label, 'ms', (performance.now() - t).toFixed(0), 'minor page faults', process.resourceUsage().minorPageFault - faults, 'rss MiB', rss);
  };
  await run([0, 0], 'setup (0 + 0 steps), cold');
  await run([0, 0], 'setup (0 + 0 steps), warm');
  await run([1, 1], '1 + 1 steps');
  if (process.argv[5] !== 'setup-only') await run([150, 50], '150 + 50 steps');
  step = () => run([0, 0], 'setup, profiled');
} else if (which === 'style' || which === 'vgg') {
  let extractor;
  if (which === 'vgg') {
    const w = generatedVgg19Weights();
    extractor = createVgg({ depth: 19, layout: 'keras', weights: w });
    tf.dispose(Object.values(w));
  } else extractor = await loadDefaultExtractor();
  const size = Number(process.argv[4] ?? 256);
  const content = tf.randomUniform([1, size, size, 3], 0, 1, 'float32', 1);
  const style = tf.randomUniform([1, size, size, 3], 0, 1, 'float32', 2);
  const t = createStyleTransfer({ extractor, content, styles: [style], memoryBudgetBytes: 16 * 2 ** 30 });
  step = () => void t.step();
} else if (which === 'descriptor') {
  const net = createFaceResNet({ seed: 1 });
  const faces = tf.randomUniform([Number(process.argv[4] ?? 1), 150, 150, 3], 0, 1, 'float32', 4);
  step = () => tf.dispose(net.encode(faces));
} else {
  const enc = createCompactEncoder({ inputShape: [112, 92, 1], seed: 1 });
  const images = tf.randomUniform([50, 112, 92, 1], 0, 1, 'float32', 3);
  const labels = Array.from({ length: 50 }, (_, i) => Math.floor(i / 5));
  const optimizer = tf.train.adam(1e-3);
  const vars = enc.trainableVariables();
  step = () => {
    const { value, grads } = tf.variableGrads(() => {
      const e = enc.encode(images, { training: true });
      const t = mineTriplets(e, labels, 'batch-hard');
      const pick = (idx) => tf.gather(e, tf.tensor1d(idx, 'int32'));
      return tripletLoss(pick(t.anchors), pick(t.positives), pick(t.negatives), { margin: 0.2 });
    }, vars);
    optimizer.applyGradients(grads);
    tf.dispose(grads);
    value.dispose();
  };
}
await step();
const reps = Number(process.env.PROFILE_REPS ?? 1);
const times = [];
for (let r = 0; r < reps; r++) {
  const t0 = performance.now();
  await step();
  times.push(performance.now() - t0);
}
const stepMs = times.sort((a, b) => a - b)[Math.floor(reps / 2)];
console.log('step ms (median of', reps + ')', stepMs.toFixed(0));
const prof = await tf.profile(() => step());
const agg = new Map();
for (const k of prof.kernels) {
  const key = k.name + ' ' + k.inputShapes.map((s) => JSON.stringify(s)).join('x') ;
  const a = agg.get(k.name) ?? { n: 0, ms: 0, shapes: new Map() };
  a.n++; a.ms += k.kernelTimeMs;
  a.shapes.set(key, (a.shapes.get(key) ?? 0) + k.kernelTimeMs);
  agg.set(k.name, a);
}
const tot = [...agg.values()].reduce((s, a) => s + a.ms, 0);
console.log('total kernel ms', tot.toFixed(0), 'kernels', prof.kernels.length, '; JS overhead (step − kernels) ms', (stepMs - tot).toFixed(0));
for (const [name, a] of [...agg].sort((x, y) => y[1].ms - x[1].ms).slice(0, Number(process.env.PROFILE_TOP ?? 30))) {
  const top = [...a.shapes].sort((x, y) => y[1] - x[1]).slice(0, Number(process.env.PROFILE_SHAPES ?? 2)).map(([k, v]) => `${k.slice(name.length + 1)}:${v.toFixed(0)}`).join('  ');
  console.log(name.padEnd(28), String(a.n).padStart(4), a.ms.toFixed(1).padStart(8), '  ', top);
}
