/**
 * face-api reads the SSD detector's and the landmark net's outputs with
 * `dataSync()`. On the webgpu backend a synchronous read is slow, and on
 * SwiftShader (headless chromium) it returns zeros, so no face is ever found.
 * These replacements of `locateFaces` and `detectLandmarks` do exactly what
 * face-api's do, with asynchronous reads (`await data()`) and tfjs's
 * `nonMaxSuppressionAsync` (the same greedy IoU suppression), so face-api's
 * task chains (`detectAllFaces(...).withFaceLandmarks().withFaceDescriptors()`)
 * work on every backend.
 */
import * as tf from '@tensorflow/tfjs-core';

interface NetInput {
  inputSize: number;
  isBatchInput: boolean;
  getReshapedInputDimensions(i: number): { width: number; height: number };
  getInputHeight(i: number): number;
  getInputWidth(i: number): number;
}

/** The parts of face-api the patch needs. */
export interface FaceApiInternals {
  toNetInput(input: unknown): Promise<NetInput>;
  SsdMobilenetv1Options: new (o?: object) => { maxResults: number; minConfidence: number };
  FaceDetection: new (score: number, box: unknown, dims: { width: number; height: number }) => unknown;
  FaceLandmarks68: new (points: unknown[], dims: { width: number; height: number }) => unknown;
  Rect: new (x: number, y: number, width: number, height: number) => unknown;
  Point: new (x: number, y: number) => unknown;
  nets: {
    ssdMobilenetv1: {
      forwardInput(input: NetInput): { boxes: tf.Tensor2D[]; scores: tf.Tensor1D[] };
      locateFaces(input: unknown, options?: object): Promise<unknown[]>;
    };
    faceLandmark68Net: {
      forwardInput(input: NetInput): tf.Tensor2D;
      detectLandmarks(input: unknown): Promise<unknown>;
    };
  };
}

export function patchFaceApiForAsyncReads(api: FaceApiInternals): void {
  const ssd = api.nets.ssdMobilenetv1;
  ssd.locateFaces = async (input, options = {}) => {
    const { maxResults, minConfidence } = new api.SsdMobilenetv1Options(options);
    const netInput = await api.toNetInput(input);
    const { boxes: allBoxes, scores: allScores } = ssd.forwardInput(netInput);
    const boxes = allBoxes[0]!;
    const scores = allScores[0]!;
    for (let i = 1; i < allBoxes.length; i++) tf.dispose([allBoxes[i]!, allScores[i]!]);
    try {
      const kept = await tf.image.nonMaxSuppressionAsync(boxes, scores, maxResults, 0.5, minConfidence);
      const indices = Array.from(await kept.data());
      kept.dispose();
      const scoresData = await scores.data();
      const boxesData = (await boxes.array()) as number[][];
      const reshaped = netInput.getReshapedInputDimensions(0);
      const padX = netInput.inputSize / reshaped.width;
      const padY = netInput.inputSize / reshaped.height;
      return indices.map((idx) => {
        const b = boxesData[idx]!;
        const [top, bottom] = [Math.max(0, b[0]!), Math.min(1, b[2]!)].map((v) => v * padY) as [number, number];
        const [left, right] = [Math.max(0, b[1]!), Math.min(1, b[3]!)].map((v) => v * padX) as [number, number];
        return new api.FaceDetection(scoresData[idx]!, new api.Rect(left, top, right - left, bottom - top), {
          height: netInput.getInputHeight(0),
          width: netInput.getInputWidth(0),
        });
      });
    } finally {
      tf.dispose([boxes, scores]);
    }
  };

  const landmarks = api.nets.faceLandmark68Net;
  landmarks.detectLandmarks = async (input) => {
    const netInput = await api.toNetInput(input);
    const perFace = tf.tidy(() => tf.unstack(landmarks.forwardInput(netInput)));
    try {
      const out = await Promise.all(
        perFace.map(async (t, i) => {
          const xy = await t.data();
          const points = Array.from({ length: 68 }, (_, k) => new api.Point(xy[2 * k]!, xy[2 * k + 1]!));
          return new api.FaceLandmarks68(points, { height: netInput.getInputHeight(i), width: netInput.getInputWidth(i) });
        }),
      );
      return netInput.isBatchInput ? out : out[0];
    } finally {
      tf.dispose(perFace);
    }
  };
}
