/**
 * face-api's SSD-MobileNet v1 detector and 68-point landmark net as a
 * `FaceDetectorAdapter` of @likeness/embeddings, loaded from the model files
 * the npm package ships (no download). face-api's Node build runs on the
 * full `@tensorflow/tfjs`, which shares our single tfjs-core engine, so it
 * runs on whichever backend `useBackend()` activated.
 *
 * (apps/node has a similar detector for its own RgbImage type; this one
 * speaks the library's adapter interface.)
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { DetectedFace, FaceDetectorAdapter } from '@likeness/embeddings';

const require = createRequire(import.meta.url);

interface Box { x: number; y: number; width: number; height: number }
interface FaceApiResult {
  detection: { score: number; box: Box };
  landmarks: { positions: { x: number; y: number }[] };
}
interface FaceApiNet { loadFromDisk(dir: string): Promise<void>; isLoaded: boolean }
interface FaceApi {
  nets: { ssdMobilenetv1: FaceApiNet; tinyFaceDetector: FaceApiNet; faceLandmark68Net: FaceApiNet };
  SsdMobilenetv1Options: new (o: { minConfidence?: number; maxResults?: number }) => unknown;
  TinyFaceDetectorOptions: new (o: { inputSize?: number; scoreThreshold?: number }) => unknown;
  detectAllFaces(input: tf.Tensor3D, options: unknown): { withFaceLandmarks(): Promise<FaceApiResult[]> };
  tf: { engine(): unknown };
}

/** Options of {@link createFaceApiDetector}. */
export interface FaceApiDetectorOptions {
  /** `'ssd'` (SSD-MobileNet v1, 512×512 input) or `'tiny'` (Tiny Face Detector, much faster). @defaultValue `'ssd'` */
  kind?: 'ssd' | 'tiny';
  /** Minimum detector score. @defaultValue `0.5` */
  minConfidence?: number;
  /** SSD only: at most this many faces. @defaultValue `10` */
  maxResults?: number;
  /** Tiny only: input size (a multiple of 32). @defaultValue `224` */
  inputSize?: number;
}

/**
 * Loads face-api's detector and landmark nets on the active backend.
 *
 * @example
 * ```ts
 * const detector = await createFaceApiDetector();
 * const faces = await detector.detect(image); // image [H,W,3] in [0,1] → DetectedFace[] with 68 landmarks
 * ```
 */
export async function createFaceApiDetector(options: FaceApiDetectorOptions = {}): Promise<FaceDetectorAdapter> {
  const api = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
  if (api.tf.engine() !== tf.engine()) {
    throw new Error('face-api runs on another copy of @tensorflow/tfjs-core; install exactly one (pnpm why @tensorflow/tfjs-core).');
  }
  const dir = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
  const kind = options.kind ?? 'ssd';
  if (kind === 'ssd' && !api.nets.ssdMobilenetv1.isLoaded) await api.nets.ssdMobilenetv1.loadFromDisk(dir);
  if (kind === 'tiny' && !api.nets.tinyFaceDetector.isLoaded) await api.nets.tinyFaceDetector.loadFromDisk(dir);
  if (!api.nets.faceLandmark68Net.isLoaded) await api.nets.faceLandmark68Net.loadFromDisk(dir);
  const opts = kind === 'ssd'
    ? new api.SsdMobilenetv1Options({ minConfidence: options.minConfidence ?? 0.5, maxResults: options.maxResults ?? 10 })
    : new api.TinyFaceDetectorOptions({ inputSize: options.inputSize ?? 224, scoreThreshold: options.minConfidence ?? 0.5 });
  return {
    async detect(image: tf.Tensor3D): Promise<DetectedFace[]> {
      const input = tf.tidy(() => tf.round(tf.mul(tf.clipByValue(image, 0, 1), 255)) as tf.Tensor3D);
      try {
        const found = await api.detectAllFaces(input, opts).withFaceLandmarks();
        return found.map((r) => ({
          box: { x: r.detection.box.x, y: r.detection.box.y, width: r.detection.box.width, height: r.detection.box.height },
          score: r.detection.score,
          landmarks: r.landmarks.positions.map((p) => ({ x: p.x, y: p.y })),
        }));
      } finally {
        input.dispose();
      }
    },
  };
}
