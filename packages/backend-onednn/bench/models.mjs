// Benchmark: whole-model steps on the oneDNN plugin, wasm (2 threads) and cpu, with PyTorch on
// the CPU (Debian's python3-torch, /usr/bin/python3) running the same net and batch in the same run:
//   - one style-transfer step (value + gradient + Adam) of @likeness/nst with its default
//     backbone (nsfwjs MobileNetV2 to block_10) at 256² and 512², and with VGG-19 to relu5_1
//     (generated weights: timing only) at 256² and 512²;
//   - one triplet training step of @likeness/embeddings' compact encoder on a P=10 × K=5 batch
//     of 112×92 greyscale faces: batch-hard mining (@likeness/triplet's mineTriplets(…, 'batch-hard')), its
//     tripletLoss, tf.variableGrads and Adam;
//   - the dlib face ResNet descriptor (@likeness/embeddings' FaceResNet), batch 1 and 16;
//   - one fine-tuning epoch of that ResNet as @likeness/training's fineTune runs it by default
//     (its last 3 stages and the projection trainable, 15 P8×K4 steps on cached frozen features,
//     batch-hard mining, triplet loss, two Adams; generated weights and features).
// PyTorch runs in the shared harness's torchEnv (scripts/bench-harness.mjs at the root: passive
// OpenMP wait, OpenBLAS where present) and each reference reports its fastest variant; the table
// is preceded by PyTorch's configuration (threads, oneDNN, the BLAS it loaded).
// Run: pnpm --filter @likeness/backend-onednn bench   (after bench/bench.mjs; builds first)
// Options: --backends=onednn,wasm,cpu  --reps=3  --threads=2 (wasm and PyTorch)  --no-torch
//          --cases=a,b (substrings of case names)  --json
// The cpu backend runs each case once, without a warm-up (tens of seconds a case), and skips
// the cases in CPU_TOO_SLOW (with the reason printed) unless --cpu-all.
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@likeness/backends/cpu';
import '@likeness/backends/wasm';
import { env, useBackend } from '@likeness/backends';
import { createCompactEncoder, createFaceResNet, FaceResNet } from '@likeness/embeddings';
import { createStyleTransfer, createVgg, styleTransfer } from '@likeness/nst';
import { loadDefaultExtractor } from '@likeness/nst/node';
import { createPKSampler, mineTriplets, tripletLoss } from '@likeness/triplet';
import { generatedVgg19Weights, median, runTorch, smoothImage, timed, torchConfig } from '../../../scripts/bench-harness.mjs';
import { loadOneDnn } from '../dist/index.js';

tf.env().set('IS_TEST', true); // no "install tfjs-node" banner

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? 'true'];
  }),
);
// oneDNN runs last: when it starts it keeps freed memory in the process (glibc mallopt), which
// would also spare the cpu backend its page faults had it run first.
const backends = (args.backends ?? 'wasm,cpu,onednn').split(',').sort((a, b) => (a === 'onednn') - (b === 'onednn'));
const reps = Number(args.reps ?? 3);
const threads = Number(args.threads ?? 2);
env.wasm.numThreads = threads;
const only = args.cases ? args.cases.split(',') : null;
const wanted = (label) => !only || only.some((o) => label.includes(o));

// The CLI's default 512 px stylisation end to end (@likeness/nst's scripts/bench-default.mjs recipe):
// timed once, cold, as a user runs it.
const STYLISE = 'stylisation end to end, default, 512×384 (150 + 50 Adam steps)';
const ONCE = new Set([STYLISE]);
const FINETUNE = 'ResNet fine-tuning epoch, dlib ResNet last 3 stages, 15 × P8×K4';

/** Each case: label → (set up on the active backend) → { step, dispose }. */
const CASES = {
  'style-transfer step, MobileNetV2, 256²': () => styleStep(256),
  'style-transfer step, MobileNetV2, 512²': () => styleStep(512),
  'style-transfer step, VGG-19 to relu5_1, 256²': () => styleStep(256, 'vgg19'),
  'style-transfer step, VGG-19 to relu5_1, 512²': () => styleStep(512, 'vgg19'),
  'triplet step, compact encoder 112×92, P10×K5': () => tripletStep(112, 92),
  [STYLISE]: () => stylise(512),
  'face descriptor, dlib ResNet, batch 1': () => descriptor(1),
  'face descriptor, dlib ResNet, batch 16': () => descriptor(16),
  [FINETUNE]: () => fineTuneEpoch(),
};

// Cases the cpu backend takes minutes for (measured 2026-12-04: style 512² 176 s at load 11–21;
// the triplet step had not finished after 5 min): skipped on cpu unless --cpu-all.
const CPU_TOO_SLOW = {
  'style-transfer step, MobileNetV2, 512²': 'cpu: 176 s a step (2026-12-04, load 11–21): run with --cpu-all',
  'triplet step, compact encoder 112×92, P10×K5': 'cpu: not finished after 5 min (2026-12-04): run with --cpu-all',
  [STYLISE]: 'cpu: 200 style steps at 256×192 and 512×384 (one 512² step took 176 s on cpu): run with --cpu-all',
  [FINETUNE]: 'cpu: not finished after 3 min (2026-12-04, load 6–10): run with --cpu-all',
  'style-transfer step, VGG-19 to relu5_1, 256²': 'cpu: not timed (VGG-19 to relu5_1 is far heavier than the MobileNetV2 step, which took 8.7 s on cpu): run with --cpu-all',
  'style-transfer step, VGG-19 to relu5_1, 512²': 'cpu: not timed (four times the 256² VGG-19 step): run with --cpu-all',
};

let extractor;
let vgg;
/** VGG-19 with generated weights (timing only), keras layout, as `@likeness/nst`'s own bench. */
function vgg19() {
  const w = generatedVgg19Weights();
  const ex = createVgg({ depth: 19, layout: 'keras', weights: w });
  tf.dispose(Object.values(w));
  return ex;
}

async function styleStep(size, net = 'mobilenet_v2') {
  if (net === 'vgg19') {
    vgg ??= vgg19();
  } else {
    extractor ??= await loadDefaultExtractor();
  }
  const ex = net === 'vgg19' ? vgg : extractor;
  const content = tf.randomUniform([1, size, size, 3], 0, 1, 'float32', 1);
  const style = tf.randomUniform([1, size, size, 3], 0, 1, 'float32', 2);
  const t = createStyleTransfer({ extractor: ex, content, styles: [style], memoryBudgetBytes: 16 * 2 ** 30 });
  return { step: () => void t.step(), dispose: () => (t.dispose(), tf.dispose([content, style])) };
}

async function stylise(width) {
  extractor ??= await loadDefaultExtractor();
  const height = Math.round((width * 3) / 4);
  const content = smoothImage(height, width, 1);
  const style = smoothImage(Math.round(width * 1.25), width, 2);
  return {
    step: async () => {
      const { image } = await styleTransfer({ extractor, content, styles: [style], scales: [0.5, 1], iterations: [150, 50] });
      image.dispose();
    },
    dispose: () => tf.dispose([content, style]),
  };
}

function tripletStep(h, w) {
  const enc = createCompactEncoder({ inputShape: [h, w, 1], seed: 1 });
  const images = tf.randomUniform([50, h, w, 1], 0, 1, 'float32', 3);
  const labels = Array.from({ length: 50 }, (_, i) => Math.floor(i / 5));
  const optimizer = tf.train.adam(1e-3);
  const vars = enc.trainableVariables();
  const step = () => {
    const { value, grads } = tf.variableGrads(() => {
      const e = enc.encode(images, { training: true });
      const t = mineTriplets(e, labels, 'batch-hard'); // hardest positive and negative per anchor, from this forward
      const pick = (idx) => tf.gather(e, tf.tensor1d(idx, 'int32'));
      return tripletLoss(pick(t.anchors), pick(t.positives), pick(t.negatives), { margin: 0.2 });
    }, vars);
    optimizer.applyGradients(grads);
    tf.dispose(grads);
    return value;
  };
  return { step, dispose: () => (enc.dispose(), optimizer.dispose(), images.dispose()) };
}

function descriptor(batch) {
  const net = createFaceResNet({ seed: 1 });
  const faces = tf.randomUniform([batch, 150, 150, 3], 0, 1, 'float32', 4);
  return { step: () => net.encode(faces), dispose: () => (net.dispose(), faces.dispose()) };
}

/**
 * One epoch of @likeness/training's triplet fine-tuning loop (its createTripletEpochTrainer with
 * fineTune's defaults): the dlib ResNet with its last 3 stages and `fc` trainable, cached frozen
 * features of 4 copies × 10 people × 10 images, 15 steps of a P8×K4 batch, batch-hard mining on a
 * forward without gradients, the triplet loss (plain L2, margin 0.1) and its gradient, Adam 1e-5
 * (stages) and 1e-4 (fc). Generated weights and features: the arithmetic does not depend on them.
 */
function fineTuneEpoch() {
  const base = createFaceResNet({ seed: 1 });
  const net = FaceResNet.fromPretrained(base, { trainableStages: 3 });
  base.dispose();
  const people = 10, per = 10, copies = 4, n = people * per;
  const labels = Array.from({ length: n }, (_, i) => Math.floor(i / per));
  const feats = tf.randomUniform([copies * n, ...net.featureShape], 0, 1, 'float32', 5);
  const sampler = createPKSampler(labels, { p: 8, k: 4, seed: 1 });
  const head = net.headVariable;
  const vars = net.trainableVariables();
  const backbone = vars.filter((v) => v !== head);
  const optHead = tf.train.adam(1e-4), optBackbone = tf.train.adam(1e-5);
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const opts = { metric: 'l2', margin: 0.1 };
  const epoch = () => {
    for (let s = 0; s < 15; s++) {
      const rows = sampler.next();
      const batch = tf.gather(feats, Int32Array.from(rows, (i) => Math.floor(rnd() * copies) * n + i));
      const e = tf.tidy(() => net.encodeFeatures(batch));
      const t = mineTriplets(e, sampler.labelsOf(rows), 'batch-hard', opts);
      e.dispose();
      const { value, grads } = tf.variableGrads(() => tf.tidy(() => {
        const emb = net.encodeFeatures(batch);
        return tripletLoss(tf.gather(emb, t.anchors), tf.gather(emb, t.positives), tf.gather(emb, t.negatives), opts);
      }), vars);
      optHead.applyGradients([{ name: head.name, tensor: grads[head.name] }]);
      optBackbone.applyGradients(backbone.map((v) => ({ name: v.name, tensor: grads[v.name] })));
      value.dataSync();
      tf.dispose([value, batch, ...Object.values(grads)]);
    }
  };
  return { step: epoch, dispose: () => (net.dispose(), feats.dispose(), optHead.dispose(), optBackbone.dispose()) };
}

if (backends.includes('onednn')) {
  await import('../dist/index.js'); // registers the plugin
  const info = loadOneDnn().info(); // throws with what to install when oneDNN is missing
  process.stderr.write(`oneDNN ${info.version} (${info.cpuRuntime}), OMP_NUM_THREADS=${process.env.OMP_NUM_THREADS ?? '(all cores)'}\n`);
}

const loads = [loadavg()[0]];
const results = {};
const caseLoads = {}; // backend → case → 1-min load average when the case finished
for (const name of backends) {
  await useBackend(name, { allowSwitchWithTensors: true });
  results[name] = {};
  caseLoads[name] = {};
  const cold = name === 'cpu';
  for (const [label, make] of Object.entries(CASES)) {
    if (!wanted(label)) continue;
    if (cold && CPU_TOO_SLOW[label] && args['cpu-all'] !== 'true') {
      process.stderr.write(`cpu ${label}: skipped (${CPU_TOO_SLOW[label]})\n`);
      continue;
    }
    const c = await make();
    results[name][label] = await timed(c.step, cold || ONCE.has(label) ? 1 : reps, cold || ONCE.has(label));
    c.dispose();
    loads.push(loadavg()[0]);
    caseLoads[name][label] = loadavg()[0];
    process.stderr.write(`${name} ${label}: ${results[name][label].toFixed(0)} ms (load ${loadavg()[0].toFixed(1)})\n`);
  }
  extractor?.dispose();
  extractor = undefined;
  vgg?.dispose();
  vgg = undefined;
}

const torchMs = {};
const torchBest = {}; // case → the fastest of the variants its reference timed (torch_models.py)
let torchSetup = null;
if (args['no-torch'] !== 'true') {
  const here = (f) => fileURLToPath(new URL(f, import.meta.url));
  torchSetup = torchConfig(here('./torch_setup.py'), threads);
  const py = (script, argv) => runTorch(here(script), argv, threads);
  const variants = (r) => {
    torchBest[r.case === 'finetune' ? FINETUNE : `batch ${r.batch}`] = r.best;
    return r;
  };
  const refs = {
    'style-transfer step, MobileNetV2, 256²': () => py('../../nst/scripts/bench_torch.py', ['mobilenet_v2', 256, reps, threads]).seconds_per_step * 1000,
    'style-transfer step, MobileNetV2, 512²': () => py('../../nst/scripts/bench_torch.py', ['mobilenet_v2', 512, reps, threads]).seconds_per_step * 1000,
    'style-transfer step, VGG-19 to relu5_1, 256²': () => py('../../nst/scripts/bench_torch.py', ['vgg19', 256, reps, threads]).seconds_per_step * 1000,
    'style-transfer step, VGG-19 to relu5_1, 512²': () => py('../../nst/scripts/bench_torch.py', ['vgg19', 512, reps, threads]).seconds_per_step * 1000,
    'triplet step, compact encoder 112×92, P10×K5': () => py('../../training/bench/torch_step.py', [112, 92, reps, threads]).msPerStep,
    'face descriptor, dlib ResNet, batch 1': () => variants({ ...py('./torch_models.py', ['descriptor', 1, reps, threads]), batch: 1 }).msPerStep,
    'face descriptor, dlib ResNet, batch 16': () => variants({ ...py('./torch_models.py', ['descriptor', 16, reps, threads]), batch: 16 }).msPerStep,
    [FINETUNE]: () => variants(py('./torch_models.py', ['finetune', reps, threads])).msPerStep,
  };
  for (const [label, ref] of Object.entries(refs)) {
    if (!wanted(label)) continue;
    try {
      torchMs[label] = ref();
      loads.push(loadavg()[0]);
      process.stderr.write(`torch ${label}: ${torchMs[label].toFixed(0)} ms (load ${loadavg()[0].toFixed(1)})\n`);
    } catch (e) {
      console.error(`PyTorch reference unavailable for ${label} (apt-get install python3-torch): ${e.message.split('\n')[0]}`);
    }
  }
}

const labels = Object.keys(CASES).filter(wanted);
const hasTorch = Object.keys(torchMs).length > 0;
const vsWasm = backends.includes('onednn') && backends.includes('wasm');
const header = [
  'case',
  ...backends.map((b) => `${b} ms (load)`),
  ...(vsWasm ? ['onednn/wasm'] : []),
  ...(hasTorch ? [`torch (${threads} thr) ms`, ...backends.map((b) => `${b}/torch`)] : []),
];
const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}×` : '–');
const cell = (b, l) => (results[b][l] === undefined ? (b === 'cpu' && CPU_TOO_SLOW[l] ? 'skipped¹' : '–') : `${results[b][l].toFixed(0)} (${caseLoads[b][l].toFixed(1)})`);
if (torchSetup) {
  const { torch, threads: t, interopThreads, mkldnn, cpuCapability, blas, malloc } = torchSetup;
  console.log(`\nPyTorch ${torch}: ${t} threads (inter-op ${interopThreads}), oneDNN ${mkldnn ? 'on' : 'off'}, ${cpuCapability}, OMP_WAIT_POLICY=${process.env.OMP_WAIT_POLICY ?? 'passive'}, malloc ${malloc}, BLAS ${blas}`);
  if (/\/blas\/libblas/.test(blas)) console.log('  (netlib reference BLAS: install libopenblas0-pthread, or set LIKENESS_TORCH_BLAS_DIR, for PyTorch at its best)');
  for (const [l, v] of Object.entries(torchBest)) console.log(`  fastest PyTorch variant, ${l}: ${v}`);
}
console.log(`\n| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
for (const l of labels) {
  const row = [l, ...backends.map((b) => cell(b, l))];
  if (vsWasm) row.push(ratio(results.onednn[l], results.wasm[l]));
  if (hasTorch) row.push(torchMs[l]?.toFixed(0) ?? '–', ...backends.map((b) => ratio(results[b][l], torchMs[l])));
  console.log(`| ${row.join(' | ')} |`);
}
const skipped = labels.filter((l) => backends.includes('cpu') && results.cpu[l] === undefined && CPU_TOO_SLOW[l]);
if (skipped.length > 0) console.log(`\n¹ ${skipped.map((l) => `${l}: ${CPU_TOO_SLOW[l]}`).join('; ')}`);
console.log(`\n(load) = 1-min load average when the case finished. Median of ${reps} runs after a warm-up (cpu: 1 run, no warm-up); tfjs ${tf.version_core}, Node ${process.version}, wasm threads ${threads}`);
console.log(`load average (1 min) during the run: ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} on ${(await import('node:os')).cpus().length} cores`);
if (args.json === 'true') console.log(JSON.stringify({ results, torch: torchMs, torchSetup, torchBest, loads }));
