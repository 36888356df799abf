/**
 * The face detector adapter for the browser: @vladmandic/face-api's ESM build
 * without its bundled tfjs (`face-api.esm-nobundle.js`), so it runs on our one
 * tfjs-core engine and the backend `useBackend()` chose. Models are served by
 * this app under ./models/ (copied from the npm package at build time).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as faceapiModule from '@vladmandic/face-api/dist/face-api.esm-nobundle.js';
import { patchFaceApiForAsyncReads, type FaceApiInternals } from './async-reads';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A face with its 128-D dlib ResNet embedding. */
export interface Face {
  box: Box;
  score: number;
  embedding: Float32Array;
}

interface FaceApiResult {
  detection: { score: number; box: Box };
  descriptor: Float32Array;
}
interface FaceApiNet {
  loadFromUri(uri: string): Promise<void>;
  isLoaded: boolean;
}
interface FaceApi {
  nets: { ssdMobilenetv1: FaceApiNet; faceLandmark68Net: FaceApiNet; faceRecognitionNet: FaceApiNet };
  SsdMobilenetv1Options: new (o: { minConfidence?: number; maxResults?: number }) => unknown;
  detectAllFaces(input: tf.Tensor3D, options: unknown): { withFaceLandmarks(): { withFaceDescriptors(): Promise<FaceApiResult[]> } };
  tf: { engine(): unknown };
}

const faceapi = faceapiModule as unknown as FaceApi;
patchFaceApiForAsyncReads(faceapiModule as unknown as FaceApiInternals);

export { faceapi };

/** Loads the three nets (detector, landmarks, dlib ResNet) once. */
export async function loadFaceModels(): Promise<void> {
  if (faceapi.tf.engine() !== tf.engine()) throw new Error('face-api runs on a second copy of tfjs-core');
  const uri = new URL('./models/', document.baseURI).href;
  await Promise.all(
    [faceapi.nets.ssdMobilenetv1, faceapi.nets.faceLandmark68Net, faceapi.nets.faceRecognitionNet].map((n) => (n.isLoaded ? undefined : n.loadFromUri(uri))),
  );
}

/** Finds every face in the canvas and embeds it (dlib alignment, as face-api's withFaceDescriptors). */
export async function findFaces(canvas: HTMLCanvasElement): Promise<Face[]> {
  const input = canvasTensor(canvas);
  try {
    const found = await faceapi
      .detectAllFaces(input, new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 }))
      .withFaceLandmarks()
      .withFaceDescriptors();
    return found.map((r) => ({
      box: { x: r.detection.box.x, y: r.detection.box.y, width: r.detection.box.width, height: r.detection.box.height },
      score: r.detection.score,
      embedding: Float32Array.from(r.descriptor),
    }));
  } finally {
    input.dispose();
  }
}

/** The largest face, or undefined. */
export function largestFace(faces: readonly Face[]): Face | undefined {
  return faces.reduce<Face | undefined>((best, f) => (!best || f.box.width * f.box.height > best.box.width * best.box.height ? f : best), undefined);
}

/**
 * The canvas as an int32 [H, W, 3] tensor, read through getImageData. (tfjs's
 * `browser.fromPixels` takes a GPU upload path on webgpu that returned a blank
 * image on SwiftShader; reading the pixels on the CPU works on every backend.)
 */
export function canvasTensor(canvas: HTMLCanvasElement): tf.Tensor3D {
  const { width, height } = canvas;
  const rgba = canvas.getContext('2d', { willReadFrequently: true })!.getImageData(0, 0, width, height).data;
  const rgb = new Int32Array(width * height * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i]!;
    rgb[j + 1] = rgba[i + 1]!;
    rgb[j + 2] = rgba[i + 2]!;
  }
  return tf.tensor3d(rgb, [height, width, 3], 'int32');
}
