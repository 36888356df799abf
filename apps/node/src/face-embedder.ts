/**
 * Face embeddings f(face) → ℝ¹²⁸ for detected faces.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FaceResNet } from '@likeness/embeddings';
import { loadFaceResNetFromFaceApi } from '@likeness/embeddings/node';
import { faceApiModelDir, imageTensor, loadFaceApi, type DetectedFace } from './face-api';
import type { RgbImage } from './image-io';

/** Embeds the faces found in an image. */
export interface FaceEmbedder {
  /** Stored in gallery files: embeddings from different embedders never mix. */
  readonly name: string;
  readonly embeddingSize: number;
  /** The distance threshold (plain L2) above which two faces are different people. */
  readonly threshold: number;
  embed(image: RgbImage, faces: readonly DetectedFace[]): Promise<Float32Array[]>;
}

/**
 * The dlib face ResNet (29 conv layers, 128-D, L2-normalised) through face-api,
 * on the landmark-aligned crop of each face.
 */
export async function createFaceEmbedder(): Promise<FaceEmbedder> {
  const api = loadFaceApi();
  if (!api.nets.faceRecognitionNet.isLoaded) await api.nets.faceRecognitionNet.loadFromDisk(faceApiModelDir());
  return {
    name: 'dlib-resnet-v1 (face-api)',
    embeddingSize: 128,
    threshold: 0.6,
    embed: (image, faces) =>
      withAlignedCrops(api, image, faces, async (crops) => {
        const out: Float32Array[] = [];
        for (const crop of crops) out.push(Float32Array.from(await api.computeFaceDescriptor(crop)));
        return out;
      }),
  };
}

/**
 * @likeness/embeddings' dlib face ResNet (face-api's weights, read from the
 * installed npm package) on dlib-aligned crops: the detector adapter's
 * `alignedBox` (dlib's alignment of the 68 landmarks), padded to a square and
 * resized to 150², as dlib/face-api prepare them. The default embedder.
 *
 * (@likeness/embeddings' own `alignFace` template framing gave less separated
 * distances on face-api's sample photos; see the app README.)
 */
export async function createLikenessFaceEmbedder(): Promise<FaceEmbedder> {
  const api = loadFaceApi();
  const net: FaceResNet = await loadFaceResNetFromFaceApi(faceApiModelDir());
  return {
    name: 'dlib-resnet-v1 (@likeness/embeddings)',
    embeddingSize: 128,
    threshold: 0.6,
    embed: (image, faces) =>
      withAlignedCrops(api, image, faces, async (crops) => {
        const e = tf.tidy(() => net.encode(tf.concat(crops.map((c) => chip150(c)), 0) as tf.Tensor4D));
        const rows = (await e.array()) as number[][];
        e.dispose();
        return rows.map((r) => Float32Array.from(r));
      }),
  };
}

/** Runs `embed` on face-api's crops of each face's dlib-aligned box (freed afterwards); no faces → []. */
async function withAlignedCrops(
  api: ReturnType<typeof loadFaceApi>,
  image: RgbImage,
  faces: readonly DetectedFace[],
  embed: (crops: tf.Tensor3D[]) => Promise<Float32Array[]>,
): Promise<Float32Array[]> {
  if (faces.length === 0) return [];
  const input = imageTensor(image);
  let crops: tf.Tensor3D[] = [];
  try {
    crops = await api.extractFaceTensors(input, faces.map(({ alignedBox: b }) => new api.Rect(b.x, b.y, b.width, b.height)));
    return await embed(crops);
  } finally {
    tf.dispose(crops);
    input.dispose();
  }
}

/** A crop [h,w,3] (0–255) → [1,150,150,3] in [0,1]: zero-padded to a centred square, then resized bilinearly. */
function chip150(crop: tf.Tensor3D): tf.Tensor4D {
  return tf.tidy(() => {
    const [h, w] = crop.shape;
    const d = Math.abs(h - w);
    const before = Math.round(d / 2);
    const pad: [number, number][] = h > w ? [[0, 0], [before, d - before], [0, 0]] : [[before, d - before], [0, 0], [0, 0]];
    const square = tf.pad(tf.cast(crop, 'float32'), pad);
    const resized = tf.image.resizeBilinear(square as tf.Tensor3D, [150, 150], false, false);
    return tf.expandDims(tf.div(resized, 255), 0) as tf.Tensor4D;
  });
}
