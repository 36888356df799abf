/**
 * Faces in the browser through @likeness/embeddings' createFaceRecognizer,
 * on @vladmandic/face-api's ESM build
 * without its bundled tfjs (`face-api.esm-nobundle.js`), so it runs on our one
 * tfjs-core engine and the backend `useBackend()` chose. Models are served by
 * this app under ./models/ (copied from the npm package at build time).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as faceapiModule from '@vladmandic/face-api/dist/face-api.esm-nobundle.js';
import { createFaceRecognizer, type FaceApiModule, type FaceRecognizer } from '@likeness/embeddings';
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

interface FaceApi {
  tf: { engine(): unknown };
}

const faceapi = faceapiModule as unknown as FaceApi;
patchFaceApiForAsyncReads(faceapiModule as unknown as FaceApiInternals);

export { faceapi };

let recognizer: Promise<FaceRecognizer> | null = null;

/**
 * The library's one-call pipeline on face-api's nets (Tiny detector +
 * pad-and-retry, SSD small-face search, dlib's levelled chip, the dlib
 * ResNet with flip averaging), created once with its models from ./models/.
 */
export function faceRecognizer(): Promise<FaceRecognizer> {
  if (faceapi.tf.engine() !== tf.engine()) return Promise.reject(new Error('face-api runs on a second copy of tfjs-core'));
  recognizer ??= createFaceRecognizer({ faceapi: faceapi as unknown as FaceApiModule, modelUrl: new URL('./models/', document.baseURI).href });
  recognizer.catch(() => { recognizer = null; });
  return recognizer;
}

/** Loads the nets (Tiny and SSD detectors, landmarks, dlib ResNet) once. */
export async function loadFaceModels(): Promise<void> {
  await faceRecognizer();
}

/** The recognizer's threshold (chosen on ORL training people; see @likeness/embeddings' README). */
export async function defaultThreshold(): Promise<number> {
  return (await faceRecognizer()).calibration.threshold;
}

/** Finds every face in the canvas (or a video frame) and embeds it, largest first. */
export async function findFaces(source: HTMLCanvasElement | HTMLVideoElement): Promise<Face[]> {
  const { faces } = await (await faceRecognizer()).embed(source);
  return faces.map((f) => ({ box: { ...f.box }, score: f.score, embedding: f.descriptor }));
}

/** The largest face, or undefined. */
export function largestFace(faces: readonly Face[]): Face | undefined {
  return faces.reduce<Face | undefined>((best, f) => (!best || f.box.width * f.box.height > best.box.width * best.box.height ? f : best), undefined);
}
