/**
 * Face embeddings f(face) → ℝ¹²⁸ for detected faces.
 */
import * as tf from '@tensorflow/tfjs-core';
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
    async embed(image, faces) {
      if (faces.length === 0) return [];
      const input = imageTensor(image);
      let crops: tf.Tensor3D[] = [];
      try {
        crops = await api.extractFaceTensors(input, faces.map(({ alignedBox: b }) => new api.Rect(b.x, b.y, b.width, b.height)));
        const out: Float32Array[] = [];
        for (const crop of crops) out.push(Float32Array.from(await api.computeFaceDescriptor(crop)));
        return out;
      } finally {
        tf.dispose(crops);
        input.dispose();
      }
    },
  };
}
