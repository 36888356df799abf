/**
 * T triplets as three aligned index lists: triplet i is
 * (anchors[i], positives[i], negatives[i]), indices into a batch or dataset.
 *
 * @example
 * ```ts
 * const t: Triplets = { anchors: Int32Array.of(0), positives: Int32Array.of(1), negatives: Int32Array.of(5) };
 * const a = tf.gather(embeddings, t.anchors); // embeddings [N,128] → a [T,128]
 * ```
 */
export interface Triplets {
  /** Index of each triplet's anchor. */
  readonly anchors: Int32Array;
  /** Index of each triplet's positive (same identity as its anchor). */
  readonly positives: Int32Array;
  /** Index of each triplet's negative (another identity). */
  readonly negatives: Int32Array;
}

/** @internal Growable builder for {@link Triplets}. */
export class TripletBuilder {
  private a: number[] = [];
  private p: number[] = [];
  private n: number[] = [];

  push(a: number, p: number, n: number): void {
    this.a.push(a);
    this.p.push(p);
    this.n.push(n);
  }

  build(): Triplets {
    return { anchors: Int32Array.from(this.a), positives: Int32Array.from(this.p), negatives: Int32Array.from(this.n) };
  }
}
