import * as tf from '@tensorflow/tfjs-core';
import { assertNumber, assertTensor, ShapeError } from '@likeness/backends';
import { SeededRandom } from '@likeness/embeddings';

/** Options of {@link flipAndShift}. */
export interface FlipAndShiftOptions {
  /** Largest shift in pixels, each axis, uniform in [−maxShift, maxShift]. @defaultValue `4` */
  maxShift?: number;
  /** Probability of a horizontal flip. @defaultValue `0.5` */
  flipProbability?: number;
  /** Value of pixels shifted in from outside. @defaultValue `0` */
  fill?: number;
  /** @defaultValue `0` */
  seed?: number;
}

/**
 * Random integer shifts and horizontal flips per image (pad, crop, reverse):
 * the augmentation of the EVAL-FACES recipe. A flipped output is the
 * shifted window read right to left.
 *
 * @example
 * ```ts
 * const aug = flipAndShift(batch, { maxShift: 4, seed: step }); // batch [50,56,46,1] → [50,56,46,1]
 * ```
 */
export function flipAndShift(images: tf.Tensor4D, options: FlipAndShiftOptions & { rng?: SeededRandom } = {}): tf.Tensor4D {
  const fn = 'flipAndShift';
  assertTensor(images, fn, 'images');
  if (images.rank !== 4) throw new ShapeError({ fn, argument: 'images', expected: 'a batch of images [N,H,W,C]', actual: images.shape });
  const maxShift = options.maxShift ?? 4;
  assertNumber(maxShift, fn, 'options.maxShift', { integer: true, min: 0 });
  const flipP = options.flipProbability ?? 0.5;
  assertNumber(flipP, fn, 'options.flipProbability', { min: 0, max: 1 });
  const rng = options.rng ?? new SeededRandom(options.seed ?? 0);
  const [n, h, w, c] = images.shape;
  const moves: { dy: number; dx: number; flip: boolean }[] = [];
  for (let i = 0; i < n; i++) {
    const dy = rng.int(2 * maxShift + 1) - maxShift;
    const dx = rng.int(2 * maxShift + 1) - maxShift;
    moves.push({ dy, dx, flip: rng.next() < flipP });
  }
  return tf.tidy(() => {
    const s = maxShift;
    const padded = s > 0 ? tf.pad(images, [[0, 0], [s, s], [s, s], [0, 0]], options.fill ?? 0) : images;
    const parts = moves.map(({ dy, dx, flip }, i) => {
      const win = tf.slice(padded, [i, s + dy, s + dx, 0], [1, h, w, c]);
      return flip ? tf.reverse(win, 2) : win;
    });
    return tf.concat(parts, 0) as tf.Tensor4D;
  });
}
