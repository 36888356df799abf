import { createRequire } from 'node:module';
import { describeValue, InvalidArgumentError } from '@likeness/backends';
import type { FaceApiModule } from '../face/face-api-detector';
import type { ImageInput } from '../image/image-input';
import { createFaceRecognizer as createCore, type FaceRecognizer, type FaceRecognizerOptions } from '../recognizer/face-recognizer';
import { decodeImage, type DecodeImageOptions, type EncodedImage } from './decode-image';
import { faceApiModelDir, loadFaceResNetFromFaceApi } from './face-api-weights';

/** What the Node recognizer reads: everything {@link ImageInput} covers, plus a path or the encoded bytes. */
export type NodeImageInput = ImageInput | EncodedImage;

/** Options of the Node {@link createFaceRecognizer}: the core options, all optional, plus the decoding limit. */
export interface NodeFaceRecognizerOptions extends Omit<FaceRecognizerOptions, 'decode'>, Pick<DecodeImageOptions, 'maxDecodePixels'> {}

/**
 * {@link createFaceRecognizer} for Node with nothing to configure: face-api's
 * Node build (on the `@tensorflow/tfjs` engine this process uses) and the
 * model files of the installed `@vladmandic/face-api`, offline. Images may
 * also be paths or encoded bytes (JPEG, PNG, WebP, AVIF, TIFF, GIF, PGM/PPM;
 * EXIF-rotated; `decodeImage`). Choose the backend first
 * (`import '@likeness/backends/wasm'; await useBackend(['wasm', 'cpu'])`).
 *
 * @example
 * ```ts
 * const faces = await createFaceRecognizer();
 * const { same, distance, confidence } = await faces.verify('ann-1.jpg', 'ann-2.jpg');
 * const gallery = createGallery();
 * await faces.enrol(gallery, 'ann', 'ann-1.jpg');
 * const { faces: found } = await faces.identify('group.jpg', gallery); // [{ box, identity, distance, confidence, … }]
 * faces.dispose();
 * ```
 */
export async function createFaceRecognizer(options: NodeFaceRecognizerOptions = {}): Promise<FaceRecognizer<NodeImageInput>> {
  if (options == null || typeof options !== 'object') {
    throw new InvalidArgumentError({ fn: 'createFaceRecognizer', argument: 'options', message: `expected an options object, got ${describeValue(options)}.` });
  }
  const { maxDecodePixels, ...core } = options;
  const needsFaceApi = !core.detector && !core.faceapi;
  const faceapi = needsFaceApi
    ? (createRequire(import.meta.url)('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApiModule)
    : core.faceapi;
  const modelUrl = core.modelUrl ?? faceApiModelDir();
  const encoder = core.encoder ?? await loadFaceResNetFromFaceApi(modelUrl);
  try {
    return await createCore({
      ...core,
      ...(faceapi ? { faceapi } : {}),
      modelUrl,
      encoder,
      disposeEncoder: !core.encoder,
      decode: async (input, fn, argument, maxPixels) => {
      if (typeof input !== 'string' && !(input instanceof Uint8Array)) return null;
        return decodeImage(input, { maxPixels, ...(maxDecodePixels !== undefined ? { maxDecodePixels } : {}) }, fn, argument);
      },
    }) as FaceRecognizer<NodeImageInput>;
  } catch (e) {
    if (!core.encoder) encoder.dispose();
    throw e;
  }
}
