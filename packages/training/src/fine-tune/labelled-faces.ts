import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, ShapeError } from '@likeness/backends';
import { checkIdentityLabels, type FaceResNet } from '@likeness/embeddings';

/** Labelled aligned face crops [N,150,150,3] in [0,1]. */
export interface LabelledFaces {
  /** Aligned face crops [N,150,150,3] in [0,1]. */
  readonly images: tf.Tensor4D;
  /** Identity of each image (N integers). */
  readonly labels: ArrayLike<number>;
}

/** @internal Throws unless `net` is a FaceResNet with something to train (argument `net` of `fn`). */
export function checkFineTunableNet(fn: string, net: unknown): asserts net is FaceResNet {
  const n = net as Partial<FaceResNet> | null | undefined;
  if (n == null || typeof n.frozenFeatures !== 'function' || typeof n.trainableVariables !== 'function') {
    throw new InvalidArgumentError({ fn, argument: 'net', message: 'expected a fine-tunable FaceResNet (FaceResNet.fromPretrained(net, { trainableStages })).' });
  }
  if (n.trainableVariables().length === 0) {
    throw new InvalidArgumentError({ fn, argument: 'net', message: 'the FaceResNet is frozen; fine-tune a copy made with FaceResNet.fromPretrained(net, { trainableStages }).' });
  }
}

/** @internal Checks labelled aligned face crops; returns the labels. */
export function checkFaces(fn: string, argument: string, f: LabelledFaces): Int32Array {
  if (f == null || !(f.images instanceof tf.Tensor)) throw new InvalidArgumentError({ fn, argument, message: 'expected {images: tf.Tensor4D [N,150,150,3], labels}.' });
  if (f.images.rank !== 4 || f.images.shape[1] !== 150 || f.images.shape[2] !== 150 || f.images.shape[3] !== 3) {
    throw new ShapeError({ fn, argument: `${argument}.images`, expected: '[N,150,150,3] aligned crops in [0,1]', actual: f.images.shape });
  }
  return checkIdentityLabels(f.labels, f.images.shape[0], fn, `${argument}.labels`);
}
