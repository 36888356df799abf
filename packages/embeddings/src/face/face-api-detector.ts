import * as tf from '@tensorflow/tfjs-core';
import { describeValue, InvalidArgumentError } from '@likeness/backends';
import type { DetectedFace, FaceDetectorAdapter } from './face-detector';

/** The one net method the adapter needs from face-api. */
interface FaceApiNetLike {
  /** Whether the net's weights are loaded. */
  isLoaded: boolean;
  /** Loads the weights from a folder (Node only). */
  loadFromDisk?(dir: string): Promise<void>;
  /** Loads the weights from a URL prefix (fetch). */
  loadFromUri?(uri: string): Promise<void>;
}

/**
 * The part of `@vladmandic/face-api`'s module this adapter uses (pass the
 * module itself: `require('@vladmandic/face-api/dist/face-api.node-wasm.js')`
 * in Node, `import * as faceapi from '@vladmandic/face-api'` in a browser).
 * Declared here so that face-api stays the app's choice, not a dependency.
 */
export interface FaceApiModule {
  /** face-api's model instances; the adapter loads the ones it uses when they are not loaded yet. */
  nets: {
    /** The SSD-MobileNet v1 face detector (`kind: 'ssd'`). */
    ssdMobilenetv1: FaceApiNetLike;
    /** The Tiny Face Detector (`kind: 'tiny'`). */
    tinyFaceDetector: FaceApiNetLike;
    /** The 68-point landmark net, always used (the landmarks align the faces). */
    faceLandmark68Net: FaceApiNetLike;
  };
  /** Options class of the SSD detector. */
  SsdMobilenetv1Options: {
    /** Built with `minConfidence` (the minimum score) and `maxResults` (at most this many faces). */
    new (o: { minConfidence?: number; maxResults?: number }): unknown;
  };
  /** Options class of the Tiny detector. */
  TinyFaceDetectorOptions: {
    /** Built with `inputSize` (a multiple of 32) and `scoreThreshold` (the adapter's `minConfidence`). */
    new (o: { inputSize?: number; scoreThreshold?: number }): unknown;
  };
  /** Runs the detector on a 0–255 RGB image [H,W,3] with one of the options objects above. */
  detectAllFaces(input: tf.Tensor3D, options: unknown): {
    /** Adds the 68 landmarks to each detection and resolves to the results. */
    withFaceLandmarks(): Promise<{
      /** The detection of one face. */
      detection: {
        /** Detector confidence in [0, 1]. */
        score: number;
        /** Bounding box in the input image's pixels. */
        box: {
          /** Left edge, pixels. */
          x: number;
          /** Top edge, pixels. */
          y: number;
          /** Width, pixels. */
          width: number;
          /** Height, pixels. */
          height: number;
        };
      };
      /** The face's 68 iBUG landmarks. */
      landmarks: {
        /** The 68 points, in the input image's pixels. */
        positions: {
          /** Horizontal coordinate, pixels from the left. */
          x: number;
          /** Vertical coordinate, pixels from the top. */
          y: number;
        }[];
      };
    }[]>;
  };
  /** face-api's own tfjs; `engine()` is compared with this package's engine to catch two copies of tfjs-core. */
  tf: {
    /** The tfjs engine face-api runs on. */
    engine(): unknown;
  };
}

/** Options of {@link createFaceApiDetector}. */
export interface FaceApiDetectorOptions {
  /** `'ssd'` (SSD-MobileNet v1, 512×512 input) or `'tiny'` (Tiny Face Detector, much faster). @defaultValue `'ssd'` */
  kind?: 'ssd' | 'tiny';
  /**
   * Where face-api's model files are, used to load the detector and the
   * 68-landmark net when they are not loaded yet: a folder in Node
   * (`faceApiModelDir()` from `@likeness/embeddings/node`; `loadFromDisk`),
   * a URL prefix in a browser (`loadFromUri`). Not needed when the app
   * loaded both nets itself.
   */
  modelPath?: string;
  /** Minimum detector score. @defaultValue `0.5` */
  minConfidence?: number;
  /** SSD only: at most this many faces. @defaultValue `10` */
  maxResults?: number;
  /** Tiny only: input size (a multiple of 32). @defaultValue `224` */
  inputSize?: number;
}

/**
 * face-api's face detector (SSD-MobileNet v1 or Tiny) and 68-point landmark
 * net as a {@link FaceDetectorAdapter}, for `prepareFaces`,
 * `detectFacesRobust` and `robustFaceDetector`. Takes the face-api module
 * as an argument (face-api is the app's dependency, not this package's
 * code); face-api must run on this same `@tensorflow/tfjs-core` engine
 * (its Node build on `@tensorflow/tfjs` does), so it uses whichever backend
 * `useBackend()` chose. Images [H,W,3] in [0,1] are handed to face-api as
 * 0–255 pixels; boxes and landmarks come back in input pixels.
 *
 * @example
 * ```ts
 * const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
 * const detector = await createFaceApiDetector(faceapi, { kind: 'tiny', modelPath: faceApiModelDir() });
 * const faces = await detector.detect(image); // image [H,W,3] in [0,1] → DetectedFace[] (68 landmarks each)
 * ```
 */
export async function createFaceApiDetector(faceapi: FaceApiModule, options: FaceApiDetectorOptions = {}): Promise<FaceDetectorAdapter> {
  const fn = 'createFaceApiDetector';
  if (faceapi == null || typeof faceapi.detectAllFaces !== 'function' || faceapi.nets == null) {
    throw new InvalidArgumentError({ fn, argument: 'faceapi', message: `expected the @vladmandic/face-api module (require('@vladmandic/face-api/dist/face-api.node-wasm.js')), got ${describeValue(faceapi)}.` });
  }
  if (typeof faceapi.tf?.engine === 'function' && faceapi.tf.engine() !== tf.engine()) {
    throw new InvalidArgumentError({ fn, argument: 'faceapi', message: 'face-api runs on another copy of @tensorflow/tfjs-core; install exactly one (pnpm why @tensorflow/tfjs-core).' });
  }
  const kind = options.kind ?? 'ssd';
  if (kind !== 'ssd' && kind !== 'tiny') throw new InvalidArgumentError({ fn, argument: 'options.kind', message: `expected 'ssd' or 'tiny', got ${describeValue(kind)}.` });
  const detectorNet = kind === 'ssd' ? faceapi.nets.ssdMobilenetv1 : faceapi.nets.tinyFaceDetector;
  for (const net of [detectorNet, faceapi.nets.faceLandmark68Net]) {
    if (net.isLoaded) continue;
    if (typeof options.modelPath !== 'string') {
      throw new InvalidArgumentError({ fn, argument: 'options.modelPath', message: 'the face-api nets are not loaded; pass the model folder (faceApiModelDir() in Node) or URL, or load them first.' });
    }
    // face-api's nets carry both loaders everywhere, but loadFromDisk only works in Node:
    // a URL (or any path outside Node) goes through loadFromUri.
    const isUrl = /^(https?|blob|data):/i.test(options.modelPath);
    const inNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
    if (!isUrl && inNode && typeof net.loadFromDisk === 'function') await net.loadFromDisk(options.modelPath);
    else if (typeof net.loadFromUri === 'function') await net.loadFromUri(options.modelPath);
    else if (typeof net.loadFromDisk === 'function') await net.loadFromDisk(options.modelPath);
  }
  const opts = kind === 'ssd'
    ? new faceapi.SsdMobilenetv1Options({ minConfidence: options.minConfidence ?? 0.5, maxResults: options.maxResults ?? 10 })
    : new faceapi.TinyFaceDetectorOptions({ inputSize: options.inputSize ?? 224, scoreThreshold: options.minConfidence ?? 0.5 });
  return {
    async detect(image: tf.Tensor3D): Promise<DetectedFace[]> {
      if (!(image instanceof tf.Tensor) || image.rank !== 3 || image.shape[2] !== 3) {
        throw new InvalidArgumentError({ fn: 'FaceApiDetector.detect', argument: 'image', message: `expected an RGB image tensor [H,W,3] in [0,1], got ${image instanceof tf.Tensor ? `shape [${image.shape}]` : describeValue(image)}.` });
      }
      // 0–255 pixels with one temporary alive at a time (a tidy would hold all three copies until its end)
      const clipped = tf.clipByValue(image, 0, 1);
      const scaled = tf.mul(clipped, 255);
      clipped.dispose();
      const input = tf.round(scaled) as tf.Tensor3D;
      scaled.dispose();
      try {
        const found = await faceapi.detectAllFaces(input, opts).withFaceLandmarks();
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
