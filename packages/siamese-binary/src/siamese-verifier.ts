import * as tf from '@tensorflow/tfjs-core';
import { assertNumber, assertTensor, InvalidArgumentError, ShapeError } from '@likeness/backends';
import type { Encoder } from '@likeness/embeddings';
import type { VerificationHead } from './verification-head';
import { embedImages } from './embed-images';

/** Answer of {@link SiameseVerifier.verify}. */
export interface Verification {
  /** Highest ŷ over the person's enrolled images. */
  probability: number;
  /** Whether `probability` reaches the verifier's threshold. */
  same: boolean;
}

/**
 * A database of enrolled people for the siamese head: images are embedded
 * once at enrolment and kept (tf.keep), so verifying a new image costs one
 * encoder pass plus the head over that person's stored embeddings.
 * Owns its stored embeddings (free them with `dispose()`), not the encoder
 * or the head.
 *
 * @example
 * ```ts
 * const v = new SiameseVerifier(encoder, head, { threshold: cal.threshold });
 * v.enrol('s1', images);                // images [n,112,92,1]
 * v.verify(probe, 's1');                // probe [1,112,92,1] → { probability, same }
 * v.dispose();
 * ```
 */
export class SiameseVerifier {
  /** ŷ from which a probe is the person (`options.threshold`, default 0.5). */
  readonly threshold: number;
  private readonly db = new Map<string, tf.Tensor2D>();

  constructor(
    private readonly encoder: Encoder,
    private readonly head: VerificationHead,
    options: { threshold?: number } = {},
  ) {
    const t = options.threshold ?? 0.5;
    assertNumber(t, 'SiameseVerifier', 'options.threshold', { min: 0, max: 1 });
    if (encoder.embeddingSize !== head.embeddingSize) {
      throw new ShapeError({ fn: 'SiameseVerifier', argument: 'head', expected: `a head for ${encoder.embeddingSize}-d embeddings`, actual: `embeddingSize ${head.embeddingSize}` });
    }
    this.threshold = t;
  }

  /** Identities enrolled. */
  get ids(): string[] {
    return [...this.db.keys()];
  }

  /** Embeds `images` [n,H,W,C] once and stores them under `id` (adds to earlier ones). */
  enrol(id: string, images: tf.Tensor4D): void {
    if (typeof id !== 'string' || id.length === 0) throw new InvalidArgumentError({ fn: 'SiameseVerifier.enrol', argument: 'id', message: 'expected a non-empty string.' });
    const e = embedImages(this.encoder, images);
    const old = this.db.get(id);
    const next = old ? tf.tidy(() => tf.concat([old, e], 0) as tf.Tensor2D) : e;
    if (old) {
      old.dispose();
      e.dispose();
    }
    this.db.set(id, tf.keep(next));
  }

  /** Is `image` ([H,W,C] or [1,H,W,C]) the enrolled person `id`? One encoder pass. */
  verify(image: tf.Tensor3D | tf.Tensor4D, id: string): Verification {
    const fn = 'SiameseVerifier.verify';
    const stored = this.db.get(id);
    if (!stored) throw new InvalidArgumentError({ fn, argument: 'id', message: `"${id}" is not enrolled; enrolled: ${this.ids.join(', ') || 'none'}.` });
    const probability = this.scores(image, fn, [stored])[0]!;
    return { probability, same: probability >= this.threshold };
  }

  /** The enrolled person with the highest ŷ, or null if none reaches the threshold. */
  identify(image: tf.Tensor3D | tf.Tensor4D): {
    /** The enrolled person with the highest ŷ. */
    id: string;
    /** That ŷ (at least the threshold). */
    probability: number;
  } | null {
    const ids = this.ids;
    if (ids.length === 0) return null;
    const s = this.scores(image, 'SiameseVerifier.identify', ids.map((i) => this.db.get(i)!));
    let best = 0;
    s.forEach((v, i) => (v > s[best]! ? (best = i) : 0));
    return s[best]! >= this.threshold ? { id: ids[best]!, probability: s[best]! } : null;
  }

  private scores(image: tf.Tensor3D | tf.Tensor4D, fn: string, sets: tf.Tensor2D[]): number[] {
    assertTensor(image, fn, 'image');
    if (image.rank !== 3 && !(image.rank === 4 && image.shape[0] === 1)) {
      throw new ShapeError({ fn, argument: 'image', expected: 'one image [H,W,C] or [1,H,W,C]', actual: image.shape });
    }
    return tf.tidy(() => {
      const x = (image.rank === 3 ? tf.expandDims(image, 0) : image) as tf.Tensor4D;
      const q = this.encoder.encode(x, { training: false });
      return sets.map((set) => {
        const p = this.head.predict(tf.tile(q, [set.shape[0], 1]) as tf.Tensor2D, set);
        return tf.max(p).dataSync()[0]!;
      });
    });
  }

  /** Frees the stored embeddings. */
  dispose(): void {
    for (const t of this.db.values()) t.dispose();
    this.db.clear();
  }
}
