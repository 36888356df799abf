import * as tf from '@tensorflow/tfjs-core';
import { assertNumber, assertOneOf, InvalidArgumentError, ShapeError } from '@likeness/backends';
import { checkPair, pairFeatures, PAIR_FORMS, type PairForm } from './pair-features';

/** Options of {@link createVerificationHead}. */
export interface VerificationHeadOptions {
  /** D, the embedding length of the encoder in front. */
  embeddingSize: number;
  /** @defaultValue `'abs'` */
  form?: PairForm;
  /** Initial wₖ (all equal). @defaultValue `-1` for 'abs'/'chi2' (larger differences → "different"), `0` for 'concat' */
  initialWeight?: number;
  /** Initial b. @defaultValue `1` */
  initialBias?: number;
}

/**
 * The siamese binary head ŷ = σ(Σₖ wₖ·xₖ + b), x the pair features of the
 * two embeddings (see {@link PairForm}). Holds two variables (w [F], b [1]);
 * call `dispose()` when done.
 */
export class VerificationHead {
  /** How the two embeddings become the pair features (see {@link PairForm}). */
  readonly form: PairForm;
  /** D, the embedding length it takes. */
  readonly embeddingSize: number;
  /** w [F] with F = D, or 2D for 'concat'. */
  readonly weights: tf.Variable<tf.Rank.R1>;
  /** b [1]. */
  readonly bias: tf.Variable<tf.Rank.R1>;
  private disposed = false;

  constructor(options: VerificationHeadOptions) {
    const fn = 'createVerificationHead';
    if (options == null || typeof options !== 'object') throw new InvalidArgumentError({ fn, argument: 'options', message: 'expected { embeddingSize, form? }.' });
    assertNumber(options.embeddingSize, fn, 'options.embeddingSize', { integer: true, min: 1 });
    const form = options.form ?? 'abs';
    assertOneOf(form, PAIR_FORMS, fn, 'options.form');
    const w0 = options.initialWeight ?? (form === 'concat' ? 0 : -1);
    const b0 = options.initialBias ?? 1;
    assertNumber(w0, fn, 'options.initialWeight');
    assertNumber(b0, fn, 'options.initialBias');
    this.form = form;
    this.embeddingSize = options.embeddingSize;
    const f = form === 'concat' ? 2 * options.embeddingSize : options.embeddingSize;
    this.weights = tf.variable(tf.fill([f], w0), true) as tf.Variable<tf.Rank.R1>;
    this.bias = tf.variable(tf.tensor1d([b0]), true) as tf.Variable<tf.Rank.R1>;
  }

  /**
   * Logits z = Σ wₖxₖ + b of N pairs (row i of `a` with row i of `b`).
   * @example
   * ```ts
   * const z = head.logits(ea, eb); // ea, eb [N,128] → z [N]
   * ```
   */
  logits(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
    const fn = 'VerificationHead.logits';
    this.assertAlive(fn);
    checkPair(fn, a, b);
    if (a.shape[1] !== this.embeddingSize) {
      throw new ShapeError({ fn, argument: 'a', expected: `[N,${this.embeddingSize}] (the head's embeddingSize)`, actual: a.shape, hint: 'Build the head with the encoder\'s embeddingSize.' });
    }
    return tf.tidy(() => {
      const x = pairFeatures(a, b, this.form);
      return tf.add(tf.squeeze(tf.matMul(x, tf.reshape(this.weights, [-1, 1])), [1]), this.bias) as tf.Tensor1D;
    });
  }

  /**
   * ŷ = σ(z): the probability that each pair shows the same person.
   * @example
   * ```ts
   * const p = head.predict(ea, eb); // ea, eb [N,128] → p [N] in (0,1)
   * ```
   */
  predict(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => tf.sigmoid(this.logits(a, b)));
  }

  /** w and b, for an optimiser. */
  trainableVariables(): tf.Variable[] {
    this.assertAlive('VerificationHead.trainableVariables');
    return [this.weights, this.bias];
  }

  /** Weights by stable name (`head/weights`, `head/bias`), for tf.io. Do not dispose them. */
  namedWeights(): {
    /** `head/weights` or `head/bias`. */
    name: string;
    /** The variable itself (not a copy). */
    tensor: tf.Tensor;
  }[] {
    return [{ name: 'head/weights', tensor: this.weights }, { name: 'head/bias', tensor: this.bias }];
  }

  /** Frees w and b. Harmless twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose([this.weights, this.bias]);
  }

  private assertAlive(fn: string): void {
    if (this.disposed) throw new InvalidArgumentError({ fn, argument: 'this', message: 'the head was disposed; create a new one.' });
  }
}

/**
 * Creates a {@link VerificationHead}.
 *
 * @example
 * ```ts
 * const head = createVerificationHead({ embeddingSize: 128, form: 'abs' });
 * const p = head.predict(ea, eb); // ea, eb [N,128] → p [N]
 * head.dispose();
 * ```
 */
export function createVerificationHead(options: VerificationHeadOptions): VerificationHead {
  return new VerificationHead(options);
}
