// Runs face-api's own descriptor net on the crops the benchmark wrote, in its
// own process (face-api bundles the full @tensorflow/tfjs). Prints JSON.
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
const fs = require('node:fs');
const [, , cropsFile, modelDir, repsArg] = process.argv;
const tf = faceapi.tf;
(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  await faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir);
  const buf = fs.readFileSync(cropsFile);
  const data = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const n = data.length / (150 * 150 * 3);
  const faces = Array.from({ length: n }, (_, i) => tf.tensor3d(data.subarray(i * 67500, (i + 1) * 67500), [150, 150, 3]));
  const reps = Number(repsArg);
  const net = faceapi.nets.faceRecognitionNet;
  const time = async (fn) => {
    await fn(); await fn();
    const t = performance.now();
    for (let r = 0; r < reps; r++) await fn();
    return (performance.now() - t) / reps;
  };
  const b1 = await time(async () => { for (const f of faces) await net.computeFaceDescriptor(f); });
  const b16 = await time(async () => { await net.computeFaceDescriptor(faces); });
  const descriptors = await net.computeFaceDescriptor(faces);
  console.log(JSON.stringify({
    msPerFaceBatch1: b1 / n, msPerFaceBatch16: b16 / n,
    simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'), threads: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'),
    descriptors: descriptors.map((d) => Array.from(d)),
  }));
})().catch((e) => { console.error(e); process.exit(1); });
