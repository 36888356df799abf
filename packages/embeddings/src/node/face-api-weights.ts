import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { FaceResNet, loadFaceResNet } from '../encoder/face-resnet';
import { WeightsFormatError } from '../errors/weights-format-error';
import { fileSystemHandler } from './file-system-handler';

/**
 * The folder of `@vladmandic/face-api`'s model files (a dependency of this
 * package, used for its weights only: its JavaScript is never loaded).
 *
 * @example
 * ```ts
 * faceApiModelDir(); // '/…/node_modules/@vladmandic/face-api/model'
 * ```
 */
export function faceApiModelDir(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve('@vladmandic/face-api/package.json');
  } catch (e) {
    throw new WeightsFormatError({ source: '@vladmandic/face-api', message: 'is not installed; install it (`npm i @vladmandic/face-api@1.7.15`) or pass the model folder explicitly.', cause: e });
  }
  return join(dirname(pkg), 'model');
}

/**
 * Loads the pretrained dlib face ResNet from face-api's model files on disk
 * (default: the installed `@vladmandic/face-api/model`). Offline.
 *
 * @example
 * ```ts
 * const net = await loadFaceResNetFromFaceApi();
 * const d = net.encode(faces); // faces [N,150,150,3] in [0,1] → d [N,128]
 * ```
 */
export async function loadFaceResNetFromFaceApi(modelDir: string = faceApiModelDir()): Promise<FaceResNet> {
  const manifest = join(modelDir, 'face_recognition_model-weights_manifest.json');
  if (!existsSync(manifest)) {
    throw new WeightsFormatError({ source: manifest, message: 'not found; pass the folder that holds face-api\'s face_recognition_model files.' });
  }
  return loadFaceResNet(fileSystemHandler(manifest), { source: manifest });
}
