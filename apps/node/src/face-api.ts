/**
 * The face detector adapter: @vladmandic/face-api's SSD-MobileNet detector and
 * 68-point landmark net, loaded from the model files the npm package ships
 * (no download). face-api's Node build (`face-api.node-wasm.js`) runs on the
 * full `@tensorflow/tfjs`, which shares our single `@tensorflow/tfjs-core`
 * engine, so it runs on whichever backend `selectBackend()` activated.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { RgbImage } from './image-io';

const require = createRequire(import.meta.url);

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One detected face, in the image's pixel coordinates. */
export interface DetectedFace {
  box: Box;
  /** Detector confidence in [0, 1]. */
  score: number;
  /** The 68 iBUG landmarks, [x, y] each. */
  landmarks: [number, number][];
  /** The crop the dlib ResNet embeds: dlib's alignment of the landmarks (as face-api's `withFaceDescriptors`). */
  alignedBox: Box;
}

/** The subset of face-api's API the adapter uses (its bundled .d.ts drags in DOM types). */
interface FaceApiPoint {
  x: number;
  y: number;
}
interface FaceApiResult {
  detection: { score: number; box: Box };
  landmarks: { positions: FaceApiPoint[]; align(d: null, o: { useDlibAlignment: boolean }): Box };
}
interface FaceApiNet {
  loadFromDisk(dir: string): Promise<void>;
  isLoaded: boolean;
}
export interface FaceApi {
  nets: { ssdMobilenetv1: FaceApiNet; faceLandmark68Net: FaceApiNet; faceRecognitionNet: FaceApiNet };
  SsdMobilenetv1Options: new (o: { minConfidence?: number; maxResults?: number }) => unknown;
  detectAllFaces(input: tf.Tensor3D, options: unknown): { withFaceLandmarks(): Promise<FaceApiResult[]> };
  Rect: new (x: number, y: number, width: number, height: number) => Box;
  extractFaceTensors(input: tf.Tensor3D, boxes: Box[]): Promise<tf.Tensor3D[]>;
  computeFaceDescriptor(input: tf.Tensor3D): Promise<Float32Array>;
  tf: { engine(): unknown };
}

let faceapi: FaceApi | undefined;

/** face-api's Node build, loaded once. */
export function loadFaceApi(): FaceApi {
  faceapi ??= require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
  if (faceapi.tf.engine() !== tf.engine()) {
    throw new Error(
      'face-api runs on another copy of @tensorflow/tfjs-core; install exactly one (pnpm why @tensorflow/tfjs-core)',
    );
  }
  return faceapi;
}

/** The folder of model files inside the installed @vladmandic/face-api. */
export function faceApiModelDir(): string {
  return join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
}

/** The folder of sample photos inside the installed @vladmandic/face-api. */
export function faceApiDemoDir(): string {
  return join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
}

export interface FaceDetectorOptions {
  /** Minimum detector score. @defaultValue 0.5 */
  minConfidence?: number;
  /** At most this many faces per image. @defaultValue 100 */
  maxResults?: number;
}

/** Finds faces and their landmarks. Call after `selectBackend()`. */
export interface FaceDetector {
  detect(image: RgbImage): Promise<DetectedFace[]>;
}

/**
 * Loads the detector and landmark nets (a few MB, from disk) on the active backend.
 *
 * @example
 * ```ts
 * const detector = await createFaceDetector();
 * const faces = await detector.detect(await readImage('group.jpg')); // DetectedFace[]
 * ```
 */
export async function createFaceDetector(options: FaceDetectorOptions = {}): Promise<FaceDetector> {
  const api = loadFaceApi();
  const dir = faceApiModelDir();
  if (!api.nets.ssdMobilenetv1.isLoaded) await api.nets.ssdMobilenetv1.loadFromDisk(dir);
  if (!api.nets.faceLandmark68Net.isLoaded) await api.nets.faceLandmark68Net.loadFromDisk(dir);
  const detectorOptions = new api.SsdMobilenetv1Options({
    minConfidence: options.minConfidence ?? 0.5,
    maxResults: options.maxResults ?? 100,
  });
  return {
    async detect(image) {
      const input = imageTensor(image);
      try {
        const found = await api.detectAllFaces(input, detectorOptions).withFaceLandmarks();
        return found.map((r) => ({
          box: plainBox(r.detection.box),
          score: r.detection.score,
          landmarks: r.landmarks.positions.map((p) => [p.x, p.y] as [number, number]),
          alignedBox: plainBox(r.landmarks.align(null, { useDlibAlignment: true })),
        }));
      } finally {
        input.dispose();
      }
    },
  };
}

/** An int32 [H, W, 3] tensor of the image (what face-api takes). */
export function imageTensor(image: RgbImage): tf.Tensor3D {
  return tf.tensor3d(Int32Array.from(image.data), [image.height, image.width, 3], 'int32');
}

function plainBox(b: Box): Box {
  return { x: b.x, y: b.y, width: b.width, height: b.height };
}
