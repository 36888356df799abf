import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { faceApiModelDir } from '../node/face-api-weights';
import { createFaceApiDetector, type FaceApiModule } from './face-api-detector';

beforeAll(async () => {
  await useBackend('cpu');
});

/** A stand-in face-api: records what it was given, answers one face. */
function fakeFaceApi() {
  const seen: { pixels: number[]; dtype: string; options: unknown }[] = [];
  const loads: string[] = [];
  const net = (name: string) => ({
    isLoaded: false,
    async loadFromDisk(dir: string) { loads.push(`${name}:${dir}`); this.isLoaded = true; },
    async loadFromUri(uri: string) { loads.push(`${name}:uri:${uri}`); this.isLoaded = true; },
  });
  const api = {
    nets: { ssdMobilenetv1: net('ssd'), tinyFaceDetector: net('tiny'), faceLandmark68Net: net('landmarks') },
    SsdMobilenetv1Options: class { constructor(readonly o: unknown) {} },
    TinyFaceDetectorOptions: class { constructor(readonly o: unknown) {} },
    detectAllFaces(input: tf.Tensor3D, options: unknown) {
      seen.push({ pixels: Array.from(input.dataSync()), dtype: input.dtype, options });
      return { withFaceLandmarks: async () => [{ detection: { score: 0.9, box: { x: 1, y: 2, width: 3, height: 4 } }, landmarks: { positions: [{ x: 5, y: 6 }, { x: 7, y: 8 }] } }] };
    },
    tf: { engine: () => tf.engine() },
  };
  return { api: api as unknown as FaceApiModule, seen, loads };
}

describe('createFaceApiDetector', () => {
  it('hands face-api 0–255 pixels, maps its answer to DetectedFace, loads the nets it needs once', async () => {
    const { api, seen, loads } = fakeFaceApi();
    const det = await createFaceApiDetector(api, { kind: 'tiny', modelPath: '/models', minConfidence: 0.3, inputSize: 160 });
    expect(loads).toEqual(['tiny:/models', 'landmarks:/models']);
    const image = tf.tensor3d([0, 0.5, 1, 1.2, -0.1, 0.25], [1, 2, 3]);
    const faces = await det.detect(image);
    expect(seen[0]!.pixels).toEqual([0, 128, 255, 255, 0, 64]); // round(clip(x)·255)
    expect((seen[0]!.options as { o: unknown }).o).toEqual({ inputSize: 160, scoreThreshold: 0.3 });
    expect(faces).toEqual([{ box: { x: 1, y: 2, width: 3, height: 4 }, score: 0.9, landmarks: [{ x: 5, y: 6 }, { x: 7, y: 8 }] }]);
    expect(image.isDisposed).toBe(false);
    await expectNoLeaks(() => det.detect(image));
    await createFaceApiDetector(api, { kind: 'tiny' }); // loaded now: no modelPath needed
    expect(loads.length).toBe(2);
    image.dispose();
  });

  it('loads from a URL with loadFromUri (face-api\'s loadFromDisk fails outside Node), a folder with loadFromDisk', async () => {
    const { api, loads } = fakeFaceApi();
    await createFaceApiDetector(api, { kind: 'ssd', modelPath: 'http://127.0.0.1:4173/models/' });
    expect(loads).toEqual(['ssd:uri:http://127.0.0.1:4173/models/', 'landmarks:uri:http://127.0.0.1:4173/models/']);
  });

  it('throws typed errors: not face-api, another tfjs-core engine, nets not loaded and no modelPath, bad kind or image', async () => {
    const { api } = fakeFaceApi();
    await expect(createFaceApiDetector(null as never)).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e));
    await expect(createFaceApiDetector({ ...api, tf: { engine: () => ({}) } } as FaceApiModule, { modelPath: '/m' })).rejects.toThrow(/another copy/);
    await expect(createFaceApiDetector(api)).rejects.toThrow(/options.modelPath/);
    await expect(createFaceApiDetector(api, { kind: 'mtcnn' as never, modelPath: '/m' })).rejects.toThrow(/options.kind/);
    const det = await createFaceApiDetector(api, { modelPath: '/m' });
    await expect(det.detect(tf.zeros([4, 4]) as never)).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e));
  });

  it('runs the real face-api (shipped model files) on our engine: no face in a blank image, no leak', async () => {
    const require = createRequire(import.meta.url);
    const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApiModule;
    const det = await createFaceApiDetector(faceapi, { kind: 'tiny', modelPath: faceApiModelDir() });
    const blank = tf.fill([96, 96, 3], 0.5) as tf.Tensor3D;
    expect(await det.detect(blank)).toEqual([]);
    await expectNoLeaks(() => det.detect(blank));
    blank.dispose();
  }, 120_000);
});
