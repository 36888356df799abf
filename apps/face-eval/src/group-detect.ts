/**
 * `pnpm --filter @likeness-example/face-eval eval:group`: which detector
 * finds small faces — face-api's Tiny detector at 224/416/608 px input, SSD,
 * and Tiny 416 on overlapping tiles — on face-api's own sample photos (group
 * photos, 1920 px wide, 3–6 faces of 60–200 px) and on a generated group
 * image (ORL faces pasted at 30–200 px on a 3000×2000 canvas; ground truth
 * known). Prints faces found and ms per image for each.
 */
import '@likeness/backends/wasm';
import '@likeness/backends/cpu';
import * as tf from '@tensorflow/tfjs-core';
import { createFaceApiDetector, tiledFaceDetector, type FaceApiModule, type FaceDetectorAdapter } from '@likeness/embeddings';
import { decodeImage, faceApiModelDir } from '@likeness/embeddings/node';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { startOrlRun } from './orl-run';
import { orlGroupImage } from './orl-group';

async function main(): Promise<void> {
  const { images } = await startOrlRun();
  const faceapi = createRequire(import.meta.url)('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApiModule;
  const modelPath = faceApiModelDir();
  const demo = join(dirname(modelPath), 'demo');
  const detectors: [string, FaceDetectorAdapter][] = [
    ['tiny 224', await createFaceApiDetector(faceapi, { kind: 'tiny', inputSize: 224, modelPath })],
    ['tiny 416', await createFaceApiDetector(faceapi, { kind: 'tiny', inputSize: 416, modelPath })],
    ['tiny 608', await createFaceApiDetector(faceapi, { kind: 'tiny', inputSize: 608, modelPath })],
    ['ssd', await createFaceApiDetector(faceapi, { kind: 'ssd', modelPath, maxResults: 100 })],
  ];
  detectors.push(['tiny 416, tiles 416', tiledFaceDetector(detectors[1]![1], { tileSize: 416 })]);
  detectors.push(['ssd, tiles 512', tiledFaceDetector(detectors[3]![1], { tileSize: 512 })]);
  detectors.push(['ssd, tiles 1024', tiledFaceDetector(detectors[3]![1], { tileSize: 1024 })]);
  const inputs: [string, tf.Tensor3D, number | null][] = [];
  for (const i of [1, 2, 3, 4, 5, 6]) inputs.push([`sample${i}.jpg`, (await decodeImage(join(demo, `sample${i}.jpg`))).image, null]);
  const g = orlGroupImage(images, { seed: 1 });
  inputs.push([`ORL group 3000×2000 (${g.faces.length} faces, 30–200 px)`, g.image, g.faces.length]);
  console.log('| image | ' + detectors.map(([n]) => n).join(' | ') + ' |');
  console.log('|---|' + detectors.map(() => '---|').join(''));
  for (const [name, img, truth] of inputs) {
    const cells: string[] = [];
    for (const [, det] of detectors) {
      const t = performance.now();
      const found = (await det.detect(img)).filter((d) => d.score >= 0.5);
      const ms = performance.now() - t;
      const sizes = found.map((d) => Math.round(d.box.width)).sort((a, b) => a - b);
      cells.push(`${found.length}${truth ? `/${truth}` : ''} (${ms.toFixed(0)} ms; ${sizes.length ? `${sizes[0]}–${sizes[sizes.length - 1]} px` : '–'})`);
    }
    console.log(`| ${name} | ${cells.join(' | ')} |`);
    img.dispose();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
