import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, ShapeError } from '@likeness/backends';
import { contentCost, gramMatrix, styleTarget, styleTargetCost, totalVariation } from '@likeness/gram';
import type { FeatureExtractor } from './feature-extractor';
import { checkFinite, checkImages } from './internal/check-images';
import { checkMinSide } from './internal/check-min-side';
import { colorMoments, transferColors } from './internal/color';
import { checkLayers } from './internal/check-layers';
import { Lbfgs } from './internal/lbfgs';
import { checkMemory } from './memory';

/** A style image with its blend weight and, optionally, the region of the content it paints. */
export interface StyleImage {
  /** [1,H,W,3] RGB in [0,1], any size. */
  image: tf.Tensor4D;
  /** Blend weight (normalised over all styles). @defaultValue 1 */
  weight?: number;
  /**
   * Where this style applies: [H,W], [H,W,1] or [1,H,W,1] values in [0,1] at
   * the content's size. With masks, each style is matched only inside its
   * region (give every style a mask).
   */
  mask?: tf.Tensor;
}

/** Options of {@link createStyleTransfer}. */
export interface StyleTransferOptions {
  /** The network whose activations define content and style. */
  extractor: FeatureExtractor;
  /** [1,H,W,3] RGB in [0,1]; the result has this size. */
  content: tf.Tensor4D;
  /** One or more style images (tensors or {@link StyleImage}). */
  styles: readonly (tf.Tensor4D | StyleImage)[];
  /** @defaultValue extractor.defaults.contentLayers */
  contentLayers?: readonly string[];
  /** @defaultValue extractor.defaults.styleLayers */
  styleLayers?: readonly string[];
  /** λ_l per style layer. @defaultValue extractor.defaults.styleLayerWeights, else equal (1/L) */
  styleLayerWeights?: readonly number[];
  /** α. @defaultValue extractor.defaults.contentWeight */
  contentWeight?: number;
  /** β. @defaultValue extractor.defaults.styleWeight */
  styleWeight?: number;
  /** Weight of the mean squared total variation of the image. @defaultValue 1 */
  tvWeight?: number;
  /** `'noise'`, `'content'`, or `'mix'` (content blended with noise by `initNoise`). @defaultValue 'content' */
  init?: 'noise' | 'content' | 'mix';
  /**
   * Colours of the starting image for `init: 'content'` or `'mix'`: `'style'`
   * first maps the content's pixels to the mean and covariance of the style
   * images' pixels (linear colour transfer, blend weights pooled), so the
   * optimisation starts from the style's palette (backbones whose Gram
   * matrices are blind to colour — MobileNetV2 — otherwise keep the photo's
   * colours); `'content'` keeps the photo's.
   * @defaultValue 'style'
   */
  initColors?: 'content' | 'style';
  /** Noise fraction for `init: 'mix'`. @defaultValue 0.5 */
  initNoise?: number;
  /** Start from this image instead ([1,H,W,3], e.g. an upsampled coarser result). */
  initImage?: tf.Tensor4D;
  /** Seed of the noise. @defaultValue 0 */
  seed?: number;
  /** @defaultValue 'adam' */
  optimizer?: 'adam' | 'lbfgs';
  /** Adam step in pixel units ([0,1] scale); L-BFGS initial step multiplier. @defaultValue 0.02 (adam), 1 (lbfgs) */
  learningRate?: number;
  /**
   * Adam only: the step grows linearly from `learningRate / n` to
   * `learningRate` over the first `n` iterations. Adam's first steps move
   * every pixel by about the learning rate whatever the gradient (its
   * update is normalised), which lays a pixel-level grain over the image;
   * a warm-up lets the moment estimates settle before the full step.
   * `0` turns it off.
   * @defaultValue 0
   */
  learningRateWarmup?: number;
  /** Softmax smoothing of style activations (Wang et al. 2021). @defaultValue extractor.defaults.smoothing */
  smoothing?: 'none' | 'softmax';
  /** Largest positions per Gram block. @defaultValue 65536 */
  chunkSize?: number;
  /** Refuse images whose step would need more. @defaultValue 3 GiB */
  memoryBudgetBytes?: number;
}

/** Losses after one step (weighted: the total is their sum). */
export interface StepReport {
  /** Steps this engine has taken so far, this one included (1 after the first `step()`; it keeps counting over several `run` calls). */
  iteration: number;
  /** The total loss this step evaluated: `content + style + tv`. */
  loss: number;
  /** The content term, weighted by `contentWeight`. */
  content: number;
  /** The style term (all style images and layers, with their weights), weighted by `styleWeight`. */
  style: number;
  /** The total-variation term, weighted by `tvWeight`. */
  tv: number;
}

/** What {@link StyleTransfer.run}'s progress callback receives. */
export interface ProgressEvent extends StepReport {
  /** Iterations this `run` call was asked for (`RunOptions.iterations`). */
  iterations: number;
  /**
   * The current image [1,H,W,3] in [0,1], present every `progressEvery`
   * iterations and on the last. Owned by the engine and disposed when the
   * callback returns (or its promise settles): read it (`await image.data()`)
   * or `tf.clone` it inside.
   */
  image?: tf.Tensor4D;
}

/** Options of {@link StyleTransfer.run}. */
export interface RunOptions {
  /** Optimiser iterations. @defaultValue 200 */
  iterations?: number;
  /** Called after each iteration. */
  onProgress?: (event: ProgressEvent) => void | Promise<void>;
  /** Attach the image to the progress event every this many iterations. @defaultValue 0 (only the last) */
  progressEvery?: number;
  /** Stops between iterations; `run` then rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** What {@link StyleTransfer.run} resolves to. */
export interface RunResult {
  /** The image after the last iteration, [1,H,W,3] in [0,1]; the caller owns it (dispose it). */
  image: tf.Tensor4D;
  /** One report per iteration of this run, in order. */
  history: StepReport[];
}

/** A running optimisation. Holds tensors: call `dispose()`. */
export interface StyleTransfer {
  /** One optimiser iteration. */
  step(): StepReport;
  /** Runs iterations, yielding to the event loop between them. */
  run(options?: RunOptions): Promise<RunResult>;
  /** A copy of the current image [1,H,W,3] in [0,1]; the caller owns it. */
  image(): tf.Tensor4D;
  /** Estimated bytes per step (see estimateStepBytes). */
  readonly stepBytes: number;
  /** Frees the image variable, the targets and the optimiser state. */
  dispose(): void;
}

const FN = 'createStyleTransfer';

function smoothFn(mode: 'none' | 'softmax'): (a: tf.Tensor4D) => tf.Tensor4D {
  return mode === 'softmax' ? (a) => tf.softmax(a, -1) as tf.Tensor4D : (a) => a;
}

function num(v: unknown, argument: string, def: number, min = 0): number {
  if (v === undefined) return def;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
    throw new InvalidArgumentError({ fn: FN, argument, message: `expected a finite number ≥ ${min}, got ${String(v)}.` });
  }
  return v;
}

function toMask(m: tf.Tensor, h: number, w: number, argument: string): tf.Tensor4D {
  const ok =
    (m.rank === 2 && m.shape[0] === h && m.shape[1] === w) ||
    (m.rank === 3 && m.shape[0] === h && m.shape[1] === w && m.shape[2] === 1) ||
    (m.rank === 4 && m.shape[0] === 1 && m.shape[1] === h && m.shape[2] === w && m.shape[3] === 1);
  if (!ok) throw new ShapeError({ fn: FN, argument, expected: `[${h},${w}], [${h},${w},1] or [1,${h},${w},1] (the content's size)`, actual: m.shape });
  return tf.reshape(tf.cast(m, 'float32'), [1, h, w, 1]) as tf.Tensor4D;
}

/**
 * Sets up Gatys-style neural style transfer at one resolution:
 * J(G) = α·J_content + β·Σ_l λ_l·J_style^[l] + tv·TV(G), minimised over the
 * pixels of G with Adam or L-BFGS, pixels kept in [0,1].
 *
 * For multi-resolution, style scale and colour preservation use
 * {@link styleTransfer}, which drives this.
 *
 * @throws ShapeError / InvalidArgumentError naming the argument (wrong rank,
 *   channels, zero size, NaN, unknown layer, bad option);
 *   ImageTooLargeError when a step would exceed `memoryBudgetBytes`.
 *
 * @example
 * ```ts
 * const t = createStyleTransfer({ extractor, content, styles: [style] }); // content [1,256,256,3]
 * const { image } = await t.run({ iterations: 100 });                      // image [1,256,256,3]
 * t.dispose();
 * ```
 */
export function createStyleTransfer(options: StyleTransferOptions): StyleTransfer {
  if (options == null || typeof options !== 'object') throw new InvalidArgumentError({ fn: FN, argument: 'options', message: 'expected an options object.' });
  const { extractor } = options;
  if (extractor == null || typeof extractor.extract !== 'function') {
    throw new InvalidArgumentError({ fn: FN, argument: 'options.extractor', message: 'expected a FeatureExtractor (e.g. from loadDefaultExtractor() or createVgg()).' });
  }
  const content = checkImages(options.content, FN, 'options.content');
  if (content.shape[0] !== 1) throw new ShapeError({ fn: FN, argument: 'options.content', expected: 'one image [1,H,W,3]', actual: content.shape });
  checkFinite(content, FN, 'options.content');
  if (!Array.isArray(options.styles) || options.styles.length === 0) {
    throw new InvalidArgumentError({ fn: FN, argument: 'options.styles', message: 'expected a non-empty array of style images [1,H,W,3] or { image, weight, mask }.' });
  }
  const styles: StyleImage[] = options.styles.map((s, i) => {
    const st: StyleImage = s instanceof tf.Tensor ? { image: s as tf.Tensor4D } : (s as StyleImage);
    if (st == null) throw new InvalidArgumentError({ fn: FN, argument: `options.styles[${i}]`, message: 'expected a tensor or { image, weight, mask }.' });
    checkImages(st.image, FN, `options.styles[${i}]`);
    if (st.image.shape[0] !== 1) throw new ShapeError({ fn: FN, argument: `options.styles[${i}]`, expected: 'one image [1,H,W,3]', actual: st.image.shape });
    checkFinite(st.image, FN, `options.styles[${i}]`);
    num(st.weight, `options.styles[${i}].weight`, 1);
    return st;
  });
  const masked = styles.filter((s) => s.mask != null).length;
  if (masked !== 0 && masked !== styles.length) {
    throw new InvalidArgumentError({ fn: FN, argument: 'options.styles', message: 'give a mask to every style or to none.' });
  }
  const d = extractor.defaults;
  const contentLayers = options.contentLayers ?? d.contentLayers;
  const styleLayers = options.styleLayers ?? d.styleLayers;
  checkLayers(contentLayers, extractor.layers, FN, 'options.contentLayers');
  checkLayers(styleLayers, extractor.layers, FN, 'options.styleLayers');
  const lw = options.styleLayerWeights ?? d.styleLayerWeights ?? styleLayers.map(() => 1 / styleLayers.length);
  if (!Array.isArray(lw) || lw.length !== styleLayers.length) {
    throw new InvalidArgumentError({ fn: FN, argument: 'options.styleLayerWeights', message: `expected ${styleLayers.length} weights, one per style layer.` });
  }
  lw.forEach((w, i) => num(w, `options.styleLayerWeights[${i}]`, 0));
  const alpha = num(options.contentWeight, 'options.contentWeight', d.contentWeight);
  const beta = num(options.styleWeight, 'options.styleWeight', d.styleWeight);
  const tvWeight = num(options.tvWeight, 'options.tvWeight', 1);
  const init = options.init ?? 'content';
  if (init !== 'noise' && init !== 'content' && init !== 'mix') {
    throw new InvalidArgumentError({ fn: FN, argument: 'options.init', message: `expected 'noise', 'content' or 'mix', got ${JSON.stringify(init)}.` });
  }
  const initColors = options.initColors ?? 'style';
  if (initColors !== 'content' && initColors !== 'style') {
    throw new InvalidArgumentError({ fn: FN, argument: 'options.initColors', message: `expected 'content' or 'style', got ${JSON.stringify(initColors)}.` });
  }
  const initNoise = num(options.initNoise, 'options.initNoise', 0.5);
  if (initNoise > 1) throw new InvalidArgumentError({ fn: FN, argument: 'options.initNoise', message: 'expected a fraction in [0,1].' });
  const seed = num(options.seed, 'options.seed', 0);
  const optimizerName = options.optimizer ?? 'adam';
  if (optimizerName !== 'adam' && optimizerName !== 'lbfgs') {
    throw new InvalidArgumentError({ fn: FN, argument: 'options.optimizer', message: `expected 'adam' or 'lbfgs', got ${JSON.stringify(optimizerName)}.` });
  }
  const lr = num(options.learningRate, 'options.learningRate', optimizerName === 'adam' ? 0.02 : 1);
  const warmup = num(options.learningRateWarmup, 'options.learningRateWarmup', 0);
  if (!Number.isInteger(warmup)) {
    throw new InvalidArgumentError({ fn: FN, argument: 'options.learningRateWarmup', message: `expected a non-negative integer number of iterations, got ${warmup}.` });
  }
  const smoothing = options.smoothing ?? d.smoothing ?? 'none';
  if (smoothing !== 'none' && smoothing !== 'softmax') {
    throw new InvalidArgumentError({ fn: FN, argument: 'options.smoothing', message: `expected 'none' or 'softmax'.` });
  }
  const chunkSize = options.chunkSize;
  const budget = num(options.memoryBudgetBytes, 'options.memoryBudgetBytes', 3 * 2 ** 30, 1);
  const [, H, W] = content.shape;
  if (options.initImage !== undefined) {
    checkImages(options.initImage, FN, 'options.initImage');
    if (options.initImage.shape[1] !== H || options.initImage.shape[2] !== W || options.initImage.shape[0] !== 1) {
      throw new ShapeError({ fn: FN, argument: 'options.initImage', expected: `[1,${H},${W},3] like the content`, actual: options.initImage.shape });
    }
  }
  const allLayers = [...new Set([...contentLayers, ...styleLayers])];
  checkMinSide(extractor, allLayers, H, W, FN, 'options.content', 'the content');
  styles.forEach((st, i) => checkMinSide(extractor, styleLayers, st.image.shape[1], st.image.shape[2], FN, `options.styles[${i}]`, `style ${i}`));
  const stepBytes = checkMemory(extractor, allLayers, H, W, budget, FN, 'options.content');
  const smooth = smoothFn(smoothing);

  // Targets (kept until dispose).
  const held: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => {
    held.push(t);
    return t;
  };
  const contentTargets = tf.tidy(() => {
    const acts = extractor.extract(content, contentLayers);
    return contentLayers.map((l) => tf.keep(acts[l]!));
  });
  contentTargets.forEach(keep);
  const totalW = styles.reduce((s, st) => s + (st.weight ?? 1), 0) || 1;
  // targets[styleIndex][layerIndex]
  const perStyle: tf.Tensor2D[][] = styles.map((st) =>
    tf.tidy(() => {
      const acts = extractor.extract(st.image, styleLayers);
      return styleLayers.map((l) => tf.keep(styleTarget(smooth(acts[l]!), { chunkSize })));
    }),
  );
  let blended: tf.Tensor2D[] | null = null;
  let masks: tf.Tensor4D[][] | null = null; // [style][layer]
  if (masked === 0) {
    blended = styleLayers.map((_, li) =>
      keep(tf.tidy(() => perStyle.map((ts, si) => tf.mul(ts[li]!, (styles[si]!.weight ?? 1) / totalW)).reduce((a, b) => tf.add(a, b)) as tf.Tensor2D)),
    );
    perStyle.flat().forEach((t) => t.dispose());
  } else {
    perStyle.flat().forEach(keep);
    const shapes = tf.tidy(() => {
      const acts = extractor.extract(content, styleLayers);
      return styleLayers.map((l) => acts[l]!.shape);
    });
    masks = styles.map((st, si) =>
      tf.tidy(() => {
        const m = toMask(st.mask!, H, W, `options.styles[${si}].mask`);
        return shapes.map((s) => keep(tf.keep(tf.image.resizeBilinear(m, [s[1]!, s[2]!], true))));
      }),
    );
  }

  const recoloured =
    !options.initImage && init !== 'noise' && initColors === 'style'
      ? transferColors(
          content,
          colorMoments(
            styles.map((st) => st.image),
            styles.map((st) => st.weight ?? 1),
          ),
        )
      : null;
  const start = tf.tidy(() => {
    if (options.initImage) return tf.clone(options.initImage);
    const base = recoloured ?? content;
    if (init === 'content') return tf.clone(base);
    const noise = tf.randomUniform([1, H, W, 3], 0, 1, 'float32', seed);
    if (init === 'noise') return noise;
    return tf.add(tf.mul(base, 1 - initNoise), tf.mul(noise, initNoise));
  });
  recoloured?.dispose();
  const x = tf.variable(start, true, undefined, 'float32');
  start.dispose();
  const adam = optimizerName === 'adam' ? tf.train.adam(lr, 0.9, 0.999, 1e-8) : null;

  const objective = (img: tf.Tensor4D): { total: tf.Scalar; parts: tf.Tensor1D } => {
    const acts = extractor.extract(img, allLayers);
    let jc: tf.Scalar = tf.scalar(0);
    contentLayers.forEach((l, i) => {
      jc = tf.add(jc, contentCost(contentTargets[i]!, acts[l]!));
    });
    jc = tf.div(jc, contentLayers.length);
    let js: tf.Scalar = tf.scalar(0);
    styleLayers.forEach((l, li) => {
      const a = smooth(acts[l]!);
      if (blended) {
        js = tf.add(js, tf.mul(styleTargetCost(blended[li]!, a, { chunkSize }), lw[li]!));
      } else {
        const c = a.shape[3];
        styles.forEach((st, si) => {
          const m = masks![si]![li]!;
          const gg = tf.div(gramMatrix(tf.mul(a, m) as tf.Tensor4D, { chunkSize }), tf.add(tf.sum(m), 1e-6));
          const cost = tf.div(tf.sum(tf.squaredDifference(gg, perStyle[si]![li]!)), 4 * c * c);
          js = tf.add(js, tf.mul(cost, lw[li]! * (st.weight ?? 1)));
        });
      }
    });
    const jtv = totalVariation(img, { mean: true });
    const parts = tf.stack([tf.mul(jc, alpha), tf.mul(js, beta), tf.mul(jtv, tvWeight)]) as tf.Tensor1D;
    return { total: tf.sum(parts) as tf.Scalar, parts };
  };

  let lastParts: number[] = [0, 0, 0];
  const valueAndGrad = (): { value: number; grad: tf.Tensor } => {
    let partsT: tf.Tensor | null = null;
    const { value, grads } = tf.variableGrads(() => {
      const o = objective(x as unknown as tf.Tensor4D);
      partsT = tf.keep(o.parts);
      return o.total;
    }, [x]);
    const v = value.dataSync()[0]!;
    lastParts = Array.from((partsT as unknown as tf.Tensor).dataSync());
    tf.dispose([value, partsT as unknown as tf.Tensor]);
    return { value: v, grad: grads[x.name]! };
  };
  const lbfgs = optimizerName === 'lbfgs' ? new Lbfgs(x, valueAndGrad, { history: 10, learningRate: lr, clip: [0, 1] }) : null;

  let iteration = 0;
  let disposed = false;
  const alive = (fn: string) => {
    if (disposed) throw new InvalidArgumentError({ fn, argument: 'this', message: 'the style transfer was disposed; create a new one.' });
  };

  const step = (): StepReport => {
    alive('StyleTransfer.step');
    let loss: number;
    if (adam) {
      const { value, grad } = valueAndGrad();
      // Warm-up: scale Adam's displacement (its moments depend on the gradients only, so this is Adam with lr·f).
      const f = warmup > 0 ? Math.min(1, (iteration + 1) / warmup) : 1;
      const before = f < 1 ? tf.clone(x) : null;
      adam.applyGradients([{ name: x.name, tensor: grad }]);
      grad.dispose();
      tf.tidy(() => {
        const moved = before ? tf.add(before, tf.mul(tf.sub(x, before), f)) : x;
        x.assign(tf.clipByValue(moved, 0, 1));
      });
      before?.dispose();
      loss = value;
    } else {
      loss = lbfgs!.step().value;
    }
    iteration++;
    return { iteration, loss, content: lastParts[0]!, style: lastParts[1]!, tv: lastParts[2]! };
  };

  return {
    stepBytes,
    step,
    image: () => {
      alive('StyleTransfer.image');
      return tf.clone(x) as unknown as tf.Tensor4D;
    },
    async run(runOptions: RunOptions = {}) {
      alive('StyleTransfer.run');
      const iterations = runOptions.iterations ?? 200;
      if (!Number.isInteger(iterations) || iterations < 0) {
        throw new InvalidArgumentError({ fn: 'StyleTransfer.run', argument: 'options.iterations', message: `expected a non-negative integer, got ${String(iterations)}.` });
      }
      const every = runOptions.progressEvery ?? 0;
      const signal = runOptions.signal;
      const history: StepReport[] = [];
      for (let i = 0; i < iterations; i++) {
        if (signal?.aborted) throw signal.reason ?? new DOMException('Aborted', 'AbortError');
        const r = step();
        history.push(r);
        if (runOptions.onProgress) {
          const withImage = i === iterations - 1 || (every > 0 && r.iteration % every === 0);
          const image = withImage ? (tf.clone(x) as unknown as tf.Tensor4D) : undefined;
          try {
            await runOptions.onProgress({ ...r, iterations, image });
          } finally {
            image?.dispose();
          }
        }
        await new Promise<void>((resolve) => setTimeout(resolve, 0));
      }
      if (signal?.aborted) throw signal.reason ?? new DOMException('Aborted', 'AbortError');
      return { image: tf.clone(x) as unknown as tf.Tensor4D, history };
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      tf.dispose(held);
      x.dispose();
      adam?.dispose();
      lbfgs?.dispose();
    },
  };
}
